// cms/challenge/member_link.cpp
//
// Signing and checking members' links with the connectors' HMAC-SHA256 (libsodium).
#include "cms/challenge/member_link.h"

#include "cms/connectors/signing.h"

namespace hub::cms::challenge {

std::string memberLinkSignature(std::string_view secret, std::string_view memberNo, std::int64_t expires) {
  std::string message(memberNo);
  message += '\n';
  message += std::to_string(expires);
  return connectors::hmacSha256Hex(secret, message);
}

bool validMemberNo(std::string_view memberNo) {
  if (memberNo.empty() || memberNo.size() > 32) return false;
  for (char c : memberNo) {
    const bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

Status verifyMemberLink(const MemberLink& link, std::string_view secret, std::int64_t now,
                        std::int64_t maxLifetimeSeconds) {
  if (!validMemberNo(link.memberNo)) return makeError("link.bad_member", "not a member number");
  // The signature first: an unsigned link learns nothing about expiry rules.
  if (secret.empty() ||
      !connectors::signatureEquals(link.sig, memberLinkSignature(secret, link.memberNo, link.expires)))
    return makeError("link.bad_signature", "the link's signature does not match");
  if (link.expires <= now)
    return makeError("link.expired", "the link has expired; open it again from the app");
  if (link.expires - now > maxLifetimeSeconds)
    return makeError("link.too_long", "the link is valid for longer than allowed");
  return {};
}

}  // namespace hub::cms::challenge
