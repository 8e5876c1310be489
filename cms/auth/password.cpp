// cms/auth/password.cpp
//
// libsodium behind password.h.
#include "cms/auth/password.h"

#include <sodium.h>

#include <atomic>
#include <cstdlib>

namespace hub::cms::auth {
namespace {

void ensureSodium() {
  if (sodium_init() < 0) std::abort();  // only fails without an entropy source
}

constexpr std::size_t kMinPassword = 8;
constexpr std::size_t kMaxPassword = 1024;

static_assert(PasswordCost{}.ops == crypto_pwhash_OPSLIMIT_INTERACTIVE);
static_assert(PasswordCost{}.memoryBytes == crypto_pwhash_MEMLIMIT_INTERACTIVE);

std::atomic<unsigned long long> gOps{crypto_pwhash_OPSLIMIT_INTERACTIVE};
std::atomic<std::size_t> gMemory{crypto_pwhash_MEMLIMIT_INTERACTIVE};

}  // namespace

Status setPasswordCost(const PasswordCost& cost) {
  if (cost.ops < crypto_pwhash_OPSLIMIT_MIN || cost.ops > crypto_pwhash_OPSLIMIT_MAX ||
      cost.memoryBytes < crypto_pwhash_MEMLIMIT_MIN || cost.memoryBytes > crypto_pwhash_MEMLIMIT_MAX)
    return makeError("auth.hash_cost",
                     "Argon2id cost below libsodium's minimum (1 pass, 8 KiB) or above its maximum");
  gOps = cost.ops;
  gMemory = cost.memoryBytes;
  return {};
}

PasswordCost passwordCost() { return PasswordCost{.ops = gOps.load(), .memoryBytes = gMemory.load()}; }

Result<std::string> hashPassword(std::string_view password) {
  ensureSodium();
  if (password.size() < kMinPassword)
    return makeError("auth.weak_password", "a password needs at least 8 characters");
  if (password.size() > kMaxPassword)
    return makeError("auth.weak_password", "a password is at most 1024 bytes");
  char out[crypto_pwhash_STRBYTES];
  const PasswordCost cost = passwordCost();
  if (crypto_pwhash_str(out, password.data(), password.size(), cost.ops, cost.memoryBytes) != 0)
    return makeError("auth.hash", "password hashing ran out of memory");
  return std::string(out);
}

bool verifyPassword(std::string_view encodedHash, std::string_view password) {
  ensureSodium();
  if (encodedHash.empty() || encodedHash.size() >= crypto_pwhash_STRBYTES || password.size() > kMaxPassword)
    return false;
  std::string hash(encodedHash);  // NUL-terminated copy
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

bool needsRehash(std::string_view encodedHash) {
  ensureSodium();
  std::string hash(encodedHash);
  const PasswordCost cost = passwordCost();
  return crypto_pwhash_str_needs_rehash(hash.c_str(), cost.ops, cost.memoryBytes) != 0;
}

std::string randomToken(std::size_t bytes) {
  ensureSodium();
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(bytes, kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()), raw.size(),
                    kVariant);
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}

std::string sha256Hex(std::string_view text) {
  ensureSodium();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  std::string hex(sizeof digest * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), digest, sizeof digest);
  hex.pop_back();
  return hex;
}

bool constantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace hub::cms::auth
