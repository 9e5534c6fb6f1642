#include "CCodecBaseline.h"

#include <string.h>

#include "refundmesh/intake/v1/intake.pb-c.h"
#include "refundmesh/refund/v1/refund.pb-c.h"

/* Large enough for the fixture with room to spare; prepare checks the packed size fits. */
#define CODEC_BASELINE_BUFFER_BYTES 4096

/* Attachment contents are metadata-sized stand-ins: the first 32 bytes of a PNG (signature and
 * IHDR) and of a JFIF JPEG, as a client would send a thumbnail's head, not the file. */
static uint8_t order_proof_head[32] = {
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x02, 0xD0, 0x00, 0x00, 0x05, 0x00, 0x08, 0x06, 0x00, 0x00, 0x00, 0x6E, 0x2F, 0x5B,
};
static uint8_t payment_proof_head[32] = {
    0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x48,
    0x00, 0x48, 0x00, 0x00, 0xFF, 0xDB, 0x00, 0x43, 0x00, 0x08, 0x06, 0x06, 0x07, 0x06, 0x05, 0x08,
};

static Refundmesh__Refund__V1__Attachment order_proof = REFUNDMESH__REFUND__V1__ATTACHMENT__INIT;
static Refundmesh__Refund__V1__Attachment payment_proof = REFUNDMESH__REFUND__V1__ATTACHMENT__INIT;
static Refundmesh__Refund__V1__Attachment *attachments[2];
static Refundmesh__Intake__V1__SubmitRefundRequest request = REFUNDMESH__INTAKE__V1__SUBMIT_REFUND_REQUEST__INIT;
static int prepared = 0;

static uint8_t packed[CODEC_BASELINE_BUFFER_BYTES];
static size_t packed_count = 0;

static void build_request(void) {
    order_proof.kind = REFUNDMESH__REFUND__V1__MATERIAL_KIND__MATERIAL_KIND_ORDER_PROOF;
    order_proof.file_name = (char *)"order-2026120600042917.png";
    order_proof.content_type = (char *)"image/png";
    order_proof.content.data = order_proof_head;
    order_proof.content.len = sizeof order_proof_head;

    payment_proof.kind = REFUNDMESH__REFUND__V1__MATERIAL_KIND__MATERIAL_KIND_PAYMENT_PROOF;
    payment_proof.file_name = (char *)"wechat-pay-receipt.jpg";
    payment_proof.content_type = (char *)"image/jpeg";
    payment_proof.content.data = payment_proof_head;
    payment_proof.content.len = sizeof payment_proof_head;

    attachments[0] = &order_proof;
    attachments[1] = &payment_proof;

    request.idempotency_key = (char *)"key-9f1c2e7a-4b3d-4e8a-9c61-2f0d5b7e3a14";
    request.user_id = (char *)"u-20481733";
    request.order_id = (char *)"o-2026120600042917";
    request.source = REFUNDMESH__REFUND__V1__REQUEST_SOURCE__REQUEST_SOURCE_ORDER_PAGE;
    request.ground = REFUNDMESH__REFUND__V1__REFUND_GROUND__REFUND_GROUND_NOT_USED;
    request.reason_statement = (char *)"游戏点卡购买后未激活，卡密未使用：附订单截图和支付凭证。"
                                       " The card was never redeemed.";
    request.n_attachments = 2;
    request.attachments = attachments;
    request.destination = REFUNDMESH__REFUND__V1__DESTINATION__DESTINATION_ORIGINAL;
    request.requester_device_id = (char *)"dev-a7c3e91f0b2d";
    request.requester_ip = (char *)"203.0.113.45";
    request.locale = (char *)"zh-CN";
}

size_t codec_baseline_prepare(void) {
    if (!prepared) {
        build_request();
        prepared = 1;
    }
    if (refundmesh__intake__v1__submit_refund_request__get_packed_size(&request) > sizeof packed) return 0;
    return codec_baseline_pack();
}

size_t codec_baseline_pack(void) {
    /* The size call is part of the measured work: a C caller needs it to size its buffer. */
    size_t size = refundmesh__intake__v1__submit_refund_request__get_packed_size(&request);
    if (size > sizeof packed) return 0;
    packed_count = refundmesh__intake__v1__submit_refund_request__pack(&request, packed);
    return packed_count;
}

const uint8_t *codec_baseline_packed_bytes(size_t *count) {
    *count = packed_count;
    return packed;
}

int codec_baseline_unpack_free(const uint8_t *bytes, size_t count) {
    Refundmesh__Intake__V1__SubmitRefundRequest *message =
        refundmesh__intake__v1__submit_refund_request__unpack(NULL, count, bytes);
    if (message == NULL) return -1;
    int attachment_count = (int)message->n_attachments;
    refundmesh__intake__v1__submit_refund_request__free_unpacked(message, NULL);
    return attachment_count;
}

int codec_baseline_round_trip(void) {
    size_t count = codec_baseline_pack();
    return codec_baseline_unpack_free(packed, count);
}
