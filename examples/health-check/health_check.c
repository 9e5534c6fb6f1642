/*
 * health-check: calls refundmesh.health.v1.Health/Check on a RefundMesh server using nothing
 * but libprotobuf-c and POSIX sockets, to prove the wire protocol in docs/PROTOCOL.md can be
 * spoken from another language with the .proto files alone.
 *
 *   health-check HOST PORT [SERVICE]    exit 0 when SERVING, 1 otherwise, 2 on errors
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "refundmesh/health/v1/health.pb-c.h"
#include "refundmesh/rpc/v1/frame.pb-c.h"

static const uint8_t PREFACE[8] = {'R', 'M', 'R', 'P', 'C', '\r', '\n', 1};
#define MAX_FRAME (4u * 1024u * 1024u)

static int read_exactly(int fd, uint8_t *buffer, size_t count) {
    size_t done = 0;
    while (done < count) {
        ssize_t n = recv(fd, buffer + done, count - done, 0);
        if (n <= 0) return -1;
        done += (size_t)n;
    }
    return 0;
}

static int write_all(int fd, const uint8_t *buffer, size_t count) {
    size_t done = 0;
    while (done < count) {
        ssize_t n = send(fd, buffer + done, count - done, 0);
        if (n <= 0) return -1;
        done += (size_t)n;
    }
    return 0;
}

static int connect_to(const char *host, const char *port) {
    struct addrinfo hints = {0}, *found = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, port, &hints, &found) != 0) return -1;
    int fd = -1;
    for (struct addrinfo *a = found; a != NULL; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (fd < 0) continue;
        struct timeval timeout = {5, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(found);
    return fd;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s HOST PORT [SERVICE]\n", argv[0]);
        return 2;
    }
    int fd = connect_to(argv[1], argv[2]);
    if (fd < 0) {
        fprintf(stderr, "health-check: cannot connect to %s:%s\n", argv[1], argv[2]);
        return 2;
    }

    /* The request: HealthCheckRequest packed into a CALL frame with end_stream. */
    Refundmesh__Health__V1__HealthCheckRequest request;
    refundmesh__health__v1__health_check_request__init(&request);
    request.service = argc > 3 ? argv[3] : "";
    size_t request_size = refundmesh__health__v1__health_check_request__get_packed_size(&request);
    uint8_t *request_bytes = malloc(request_size ? request_size : 1);
    refundmesh__health__v1__health_check_request__pack(&request, request_bytes);

    Refundmesh__Rpc__V1__Frame call;
    refundmesh__rpc__v1__frame__init(&call);
    call.kind = REFUNDMESH__RPC__V1__FRAME_KIND__FRAME_KIND_CALL;
    call.call_id = 1;
    call.method = "/refundmesh.health.v1.Health/Check";
    call.timeout_micros = 5000000;
    call.has_message = 1;
    call.message.len = request_size;
    call.message.data = request_bytes;
    call.end_stream = 1;

    size_t frame_size = refundmesh__rpc__v1__frame__get_packed_size(&call);
    uint8_t *out = malloc(8 + 4 + frame_size);
    memcpy(out, PREFACE, 8);
    out[8] = (uint8_t)(frame_size >> 24);
    out[9] = (uint8_t)(frame_size >> 16);
    out[10] = (uint8_t)(frame_size >> 8);
    out[11] = (uint8_t)frame_size;
    refundmesh__rpc__v1__frame__pack(&call, out + 12);
    int failed = write_all(fd, out, 12 + frame_size);
    free(out);
    free(request_bytes);
    if (failed) {
        fprintf(stderr, "health-check: send failed: %s\n", strerror(errno));
        return 2;
    }

    /* The server's preface, then frames until the STATUS of call 1. */
    uint8_t preface[8];
    if (read_exactly(fd, preface, 8) != 0 || memcmp(preface, PREFACE, 8) != 0) {
        fprintf(stderr, "health-check: the peer is not a RefundMesh RPC server (bad preface)\n");
        return 2;
    }
    int result = 2;
    for (;;) {
        uint8_t header[4];
        if (read_exactly(fd, header, 4) != 0) {
            fprintf(stderr, "health-check: connection closed before an answer\n");
            break;
        }
        uint32_t length = (uint32_t)header[0] << 24 | (uint32_t)header[1] << 16 | (uint32_t)header[2] << 8 | header[3];
        if (length > MAX_FRAME) {
            fprintf(stderr, "health-check: frame of %u bytes is too large\n", length);
            break;
        }
        uint8_t *body = malloc(length ? length : 1);
        if (read_exactly(fd, body, length) != 0) {
            free(body);
            break;
        }
        Refundmesh__Rpc__V1__Frame *frame = refundmesh__rpc__v1__frame__unpack(NULL, length, body);
        free(body);
        if (frame == NULL) {
            fprintf(stderr, "health-check: undecodable frame\n");
            break;
        }
        int done = 0;
        if (frame->kind == REFUNDMESH__RPC__V1__FRAME_KIND__FRAME_KIND_GOAWAY) {
            fprintf(stderr, "health-check: server sent GOAWAY: %s\n", frame->status ? frame->status->message : "");
            done = 1;
        } else if (frame->kind == REFUNDMESH__RPC__V1__FRAME_KIND__FRAME_KIND_STATUS && frame->call_id == 1) {
            int code = frame->status ? frame->status->code : 0;
            if (code != 0) {
                fprintf(stderr, "health-check: status %d: %s\n", code, frame->status->message);
            } else if (frame->has_message) {
                Refundmesh__Health__V1__HealthCheckResponse *response =
                    refundmesh__health__v1__health_check_response__unpack(NULL, frame->message.len, frame->message.data);
                if (response != NULL) {
                    int serving = response->status ==
                        REFUNDMESH__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING_STATUS_SERVING;
                    printf("%s\n", serving ? "SERVING" : "NOT_SERVING");
                    result = serving ? 0 : 1;
                    refundmesh__health__v1__health_check_response__free_unpacked(response, NULL);
                }
            }
            done = 1;
        }
        refundmesh__rpc__v1__frame__free_unpacked(frame, NULL);
        if (done) break;
    }
    close(fd);
    return result;
}
