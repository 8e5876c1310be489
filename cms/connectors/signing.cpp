// cms/connectors/signing.cpp
#include "cms/connectors/signing.h"

#include <sodium.h>

namespace hub::cms::connectors {

std::string hmacSha256Hex(std::string_view key, std::string_view message) {
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(message.data()), message.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&st, mac);
  char hex[sizeof mac * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return std::string(hex, sizeof mac * 2);
}

std::string webhookSignature(std::string_view secret, std::string_view body) {
  return "sha256=" + hmacSha256Hex(secret, body);
}

std::string webhookTimestampedSignature(std::string_view secret, std::int64_t timestamp,
                                        std::string_view body) {
  std::string msg = std::to_string(timestamp);
  msg += '.';
  msg.append(body);
  return "sha256=" + hmacSha256Hex(secret, msg);
}

bool signatureEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace hub::cms::connectors
