// cms/accounts/credential_box.h
//
// Seals account credentials (app secrets, access keys, webhook secrets) before they reach SQL
// and opens them for the connectors: libsodium crypto_secretbox (XSalsa20-Poly1305) with a
// fresh random nonce per seal, stored as base64 of nonce || ciphertext. The key is 32 bytes,
// from config ([cms_content] credentials_key, 64 hex digits) or generated once into the data
// dir (cms_credentials.key, mode 0600) like the auth secret. The API never returns what is
// sealed, only whether something is set.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "core/util/result.h"

namespace hub::cms::accounts {

class CredentialBox {
 public:
  static constexpr std::size_t kKeyBytes = 32;

  // From 64 hex digits; "accounts.bad_key" otherwise.
  static Result<CredentialBox> fromHex(std::string_view hexKey);
  // Configured hex key when not empty, else <dataDir>/cms_credentials.key (created if absent).
  static Result<CredentialBox> load(std::string_view configuredHex, const std::string& dataDir);

  std::string seal(std::string_view plaintext) const;
  // "accounts.credentials_corrupt" when the text was not sealed with this key or was altered.
  Result<std::string> open(std::string_view sealed) const;

 private:
  explicit CredentialBox(const std::array<unsigned char, kKeyBytes>& key) : key_(key) {}
  std::array<unsigned char, kKeyBytes> key_;
};

}  // namespace hub::cms::accounts
