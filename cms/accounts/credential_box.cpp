// cms/accounts/credential_box.cpp
//
// crypto_secretbox_easy with a random nonce; base64 (original variant) for text columns.
#include "cms/accounts/credential_box.h"

#include <sodium.h>

#include <vector>

#include "core/auth/secret.h"

namespace hub::cms::accounts {

Result<CredentialBox> CredentialBox::fromHex(std::string_view hexKey) {
  if (sodium_init() < 0) return makeError("accounts.bad_key", "libsodium failed to initialise");
  std::array<unsigned char, kKeyBytes> key{};
  std::size_t len = 0;
  if (hexKey.size() != kKeyBytes * 2 ||
      sodium_hex2bin(key.data(), key.size(), hexKey.data(), hexKey.size(), nullptr, &len, nullptr) != 0 ||
      len != kKeyBytes)
    return makeError("accounts.bad_key", "the credentials key must be 64 hex digits (32 bytes)");
  return CredentialBox(key);
}

Result<CredentialBox> CredentialBox::load(std::string_view configuredHex, const std::string& dataDir) {
  if (!configuredHex.empty()) return fromHex(configuredHex);
  auto secret = auth::loadOrCreateSecret(dataDir, "cms_credentials.key");
  if (!secret) return secret.error().wrap("credentials key");
  return fromHex(*secret);
}

std::string CredentialBox::seal(std::string_view plaintext) const {
  std::vector<unsigned char> buf(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plaintext.size());
  unsigned char* nonce = buf.data();
  randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(buf.data() + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(), nonce,
                        key_.data());
  std::string out(sodium_base64_ENCODED_LEN(buf.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), buf.data(), buf.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}

Result<std::string> CredentialBox::open(std::string_view sealed) const {
  std::vector<unsigned char> buf(sealed.size());
  std::size_t len = 0;
  if (sodium_base642bin(buf.data(), buf.size(), sealed.data(), sealed.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      len < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
    return makeError("accounts.credentials_corrupt", "sealed credentials are not readable");
  std::string plain(len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()),
                                 buf.data() + crypto_secretbox_NONCEBYTES, len - crypto_secretbox_NONCEBYTES,
                                 buf.data(), key_.data()) != 0)
    return makeError("accounts.credentials_corrupt", "sealed credentials fail authentication (wrong key?)");
  return plain;
}

}  // namespace hub::cms::accounts
