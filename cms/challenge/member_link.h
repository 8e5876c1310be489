// cms/challenge/member_link.h
//
// The signed link by which a member reaches their challenge pages (issue 7 item 1). The
// organisation's app, holding an app credential (id + secret), issues
//   <public url>/challenge/<challenge id>?app=<credential id>&member=<member no>&expires=<unix s>&sig=<hex>
// where sig = HMAC-SHA256(secret, "<member no>\n<expires>") as lower-case hex. The hub checks the
// signature in constant time, that the link has not expired and that it does not live longer
// than allowed, so nobody can take a member's pages by guessing a member number.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/util/result.h"

namespace hub::cms::challenge {

struct MemberLink {
  std::int64_t appId = 0;
  std::string memberNo;
  std::int64_t expires = 0;  // unix seconds
  std::string sig;           // hex
};

// The signature an app puts on a link.
std::string memberLinkSignature(std::string_view secret, std::string_view memberNo, std::int64_t expires);

// A member number: 1 to 32 characters of A-Z, a-z, 0-9, '-' and '_'.
bool validMemberNo(std::string_view memberNo);

// Checks `link` against the credential's secret at `now`. Errors: "link.bad_member",
// "link.bad_signature", "link.expired", "link.too_long" (expires more than `maxLifetimeSeconds`
// ahead).
Status verifyMemberLink(const MemberLink& link, std::string_view secret, std::int64_t now,
                        std::int64_t maxLifetimeSeconds);

}  // namespace hub::cms::challenge
