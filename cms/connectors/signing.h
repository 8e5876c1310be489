// cms/connectors/signing.h
//
// Signatures the webhook connector puts on what it sends: HMAC-SHA256 of the body with the
// account's secret, as lower-case hex (header `X-Hub-Signature: sha256=<hex>`), and the same
// over "<timestamp>.<body>" for `X-Hub-Signature-Timestamped`, so a receiver can refuse a
// replayed request whose `X-Hub-Timestamp` is too old. libsodium does the hashing.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hub::cms::connectors {

std::string hmacSha256Hex(std::string_view key, std::string_view message);

// "sha256=" + hmacSha256Hex(secret, body)
std::string webhookSignature(std::string_view secret, std::string_view body);
// "sha256=" + hmacSha256Hex(secret, "<timestamp>." + body)
std::string webhookTimestampedSignature(std::string_view secret, std::int64_t timestamp,
                                        std::string_view body);

// Constant-time comparison for a receiver checking a signature.
bool signatureEquals(std::string_view a, std::string_view b);

}  // namespace hub::cms::connectors
