// core/http/tls_files.cpp
#include "core/http/tls_files.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <memory>

namespace hub::http {

namespace {

// OpenSSL's reason for the last failure on this thread ("no start line"), and its queue emptied.
std::string lastReason() {
  unsigned long code = ERR_peek_last_error();
  const char* reason = code ? ERR_reason_error_string(code) : nullptr;
  ERR_clear_error();
  return reason ? reason : "not readable by OpenSSL";
}

}  // namespace

Status checkTlsFiles(const std::string& cert, const std::string& key) {
  for (const auto& file : {cert, key})
    if (::access(file.c_str(), R_OK) != 0) return makeError("http.tls", file + ": cannot be read");
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_server_method()), &SSL_CTX_free);
  if (!ctx) return makeError("http.tls", "OpenSSL cannot make a TLS context: " + lastReason());
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), cert.c_str()) != 1)
    return makeError("http.tls", cert + ": no PEM certificate in it (" + lastReason() + ")");
  if (SSL_CTX_use_PrivateKey_file(ctx.get(), key.c_str(), SSL_FILETYPE_PEM) != 1) {
    // OpenSSL checks the key against the certificate as it loads it.
    unsigned long code = ERR_peek_last_error();
    bool mismatch = ERR_GET_LIB(code) == ERR_LIB_X509 && ERR_GET_REASON(code) == X509_R_KEY_VALUES_MISMATCH;
    std::string reason = lastReason();
    if (mismatch) return makeError("http.tls", key + ": is not the key of the certificate in " + cert);
    return makeError("http.tls", key + ": no PEM private key in it (" + reason + ")");
  }
  return {};
}

}  // namespace hub::http
