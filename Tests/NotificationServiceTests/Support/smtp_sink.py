#!/usr/bin/env python3
"""A real SMTP server for notification's tests (Debian's python3-aiosmtpd).

Listens on 127.0.0.1 on a free port, prints "listening on <port>", and stores every accepted
message in DIR as <n>.eml (the bytes after DATA, dot-unstuffed by aiosmtpd) and <n>.json (the
envelope and what Python's e-mail parser reads from it: decoded subject and body, Message-ID).
Every DATA, accepted or not, is counted in DIR/attempts.log (one Message-ID per line).

  --fail-first N   answer the first N DATA of each Message-ID with 451 (try again later)
  --reject         answer every DATA with 550 (refused for good)
"""
import argparse
import asyncio
import email
import email.policy
import json
import os
import signal
import sys

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, directory, fail_first, reject):
        self.directory = directory
        self.fail_first = fail_first
        self.reject = reject
        self.seen = {}
        self.stored = 0

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        message_id = str(message.get("Message-ID", ""))
        with open(os.path.join(self.directory, "attempts.log"), "a") as log:
            log.write(message_id + "\n")
        self.seen[message_id] = self.seen.get(message_id, 0) + 1
        if self.reject:
            return "550 5.7.1 refused by the test"
        if self.seen[message_id] <= self.fail_first:
            return "451 4.3.0 try again later"
        self.stored += 1
        base = os.path.join(self.directory, str(self.stored))
        with open(base + ".eml", "wb") as out:
            out.write(raw)
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "subject": str(message["Subject"]),
            "raw_headers": raw.split(b"\r\n\r\n")[0].decode("ascii", "replace"),
            "message_id": message_id,
            "content_type": message.get_content_type(),
            "charset": message.get_content_charset(),
            "transfer_encoding": str(message.get("Content-Transfer-Encoding", "")),
            "body": message.get_content(),
            "event_id": str(message.get("X-RefundMesh-Event-Id", "")),
        }
        with open(base + ".json.tmp", "w", encoding="utf-8") as out:
            json.dump(record, out, ensure_ascii=False)
        os.rename(base + ".json.tmp", base + ".json")
        return "250 2.0.0 stored as %d" % self.stored


async def main():
    # The test runner may hand down SIGTERM blocked; let the test end us.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    parser = argparse.ArgumentParser()
    parser.add_argument("directory")
    parser.add_argument("--fail-first", type=int, default=0)
    parser.add_argument("--reject", action="store_true")
    args = parser.parse_args()
    handler = Sink(args.directory, args.fail_first, args.reject)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="sink.test", ident="refundmesh-test-sink"), "127.0.0.1", 0
    )
    print("listening on %d" % server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
