#ifndef REFUNDMESH_CPROTOBUFC_SHIM_H
#define REFUNDMESH_CPROTOBUFC_SHIM_H
#include <protobuf-c/protobuf-c.h>
#endif
