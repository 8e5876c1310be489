// core/auth/secret.h
//
// The secret that signs tokens. On one machine it may be left unset: then one is generated
// once into the data dir (mode 0600) and read from there on every later start, so tokens stay
// valid across restarts. Several machines must share one, so there it must be configured.
#pragma once

#include <string>

#include "core/util/result.h"

namespace hub::auth {

// Reads <dataDir>/<fileName>, creating it with 32 random bytes (hex) when it does not exist.
// Other secrets of one machine (the CMS credentials key) use the same rule under their own name.
Result<std::string> loadOrCreateSecret(const std::string& dataDir,
                                       const std::string& fileName = "auth.secret");

}  // namespace hub::auth
