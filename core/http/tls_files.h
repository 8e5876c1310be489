// core/http/tls_files.h
//
// The TLS certificate and key checked before lws sees them. lws only says "context failed"
// about a bad file (and Debian's lws 4.1.6 leaks on that path): this names the file and what is
// wrong with it, the way OpenSSL will read it when the loops start.
#pragma once

#include <string>

#include "core/util/result.h"

namespace hub::http {

// OK when `cert` holds a PEM certificate (chain) and `key` the PEM private key matching it.
// Errors (code http.tls): a file that cannot be read, no certificate in it, no key in it, a key
// of another certificate; each message names the file and OpenSSL's reason.
Status checkTlsFiles(const std::string& cert, const std::string& key);

}  // namespace hub::http
