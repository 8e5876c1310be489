// cms/auth/password.h
//
// Password hashing with Argon2id (libsodium crypto_pwhash_str; by default OPSLIMIT/MEMLIMIT_
// INTERACTIVE: about 64 MiB and a few tenths of a second per hash, right for a server's
// sign-in; [cms] password_hash_ops / password_hash_memory_kib change it process-wide, tests
// set libsodium's minimum). The encoded string carries its own salt and parameters, so hashes
// of any cost verify. Slow by design: call from a worker.
// Also the random secrets of sessions and API tokens, which are stored as SHA-256 only.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/util/result.h"

namespace hub::cms::auth {

// The Argon2id cost of new hashes (and the one needsRehash() compares with).
struct PasswordCost {
  unsigned long long ops = 2;          // crypto_pwhash_OPSLIMIT_INTERACTIVE
  std::size_t memoryBytes = 64 << 20;  // crypto_pwhash_MEMLIMIT_INTERACTIVE
};
// Sets the cost for the whole process (CmsService does it from config at start).
// "auth.hash_cost" below libsodium's minimum (1 pass, 8 KiB) or above its maximum.
Status setPasswordCost(const PasswordCost& cost);
PasswordCost passwordCost();

// Policy: 8 to 1024 bytes. Errors: "auth.weak_password" (too short/long), "auth.hash" (out
// of memory in libsodium).
Result<std::string> hashPassword(std::string_view password);
// Constant-time comparison inside libsodium; false for a malformed hash.
bool verifyPassword(std::string_view encodedHash, std::string_view password);
// The hash was made with weaker parameters than today's (re-hash it at the next sign-in).
bool needsRehash(std::string_view encodedHash);

// `bytes` random bytes as unpadded base64url.
std::string randomToken(std::size_t bytes = 32);
// Lower-case hex SHA-256 of `text` (how session and API tokens are stored).
std::string sha256Hex(std::string_view text);
// Constant-time equality of two strings of equal length (false otherwise).
bool constantTimeEquals(std::string_view a, std::string_view b);

}  // namespace hub::cms::auth
