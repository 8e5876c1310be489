// media/rtmp/tests/amf0_test.cpp
//
// AMF0 against a real ffmpeg connect command, every type round trip, and the limits that keep a
// hostile payload from costing memory or stack.
#include "media/rtmp/amf0.h"

#include <gtest/gtest.h>

#include <cmath>

#include "media/rtmp/tests/ffmpeg_samples.h"

namespace hub::media::rtmp {
namespace {

// The AMF0 payload of the captured connect: the chunks without their headers.
Bytes ffmpegConnectPayload() {
  // Copied byte by byte: GCC 12 at -O3 warns falsely (array-bounds) on a vector insert here.
  Bytes out;
  for (std::size_t i = samples::kFfmpegConnectHeaderSize; i < sizeof(samples::kFfmpegConnectChunks); ++i)
    if (i != samples::kFfmpegConnectSplitAt) out.push_back(samples::kFfmpegConnectChunks[i]);
  return out;
}

Amf0Value str(std::string s) { return Amf0Value::string(std::move(s)); }

TEST(Amf0, RoundTripsConnectCommand) {
  const Bytes wire = ffmpegConnectPayload();
  ASSERT_EQ(wire.size(), 140u);

  auto values = decodeAmf0(wire);
  ASSERT_TRUE(values.ok()) << values.error().message;
  ASSERT_EQ(values->size(), 3u);
  EXPECT_EQ((*values)[0].asString(), "connect");
  EXPECT_EQ((*values)[1].asNumber(), 1.0);
  const Amf0Value& cmd = (*values)[2];
  ASSERT_TRUE(cmd.isObject());
  EXPECT_EQ(cmd.get("app")->asString(), "live");
  EXPECT_EQ(cmd.get("type")->asString(), "nonprivate");
  EXPECT_EQ(cmd.get("flashVer")->asString(), "FMLE/3.0 (compatible; Lavf59.27.100)");
  EXPECT_EQ(cmd.get("tcUrl")->asString(), "rtmp://127.0.0.1:38689/live");
  EXPECT_EQ(cmd.get("missing"), nullptr);

  // Our encoder writes the very same bytes.
  const Bytes encoded =
      encodeAmf0({str("connect"), Amf0Value::number(1),
                  Amf0Value::object({{"app", str("live")},
                                     {"type", str("nonprivate")},
                                     {"flashVer", str("FMLE/3.0 (compatible; Lavf59.27.100)")},
                                     {"tcUrl", str("rtmp://127.0.0.1:38689/live")}})});
  EXPECT_EQ(encoded, wire);
  EXPECT_EQ(encodeAmf0(*values), wire);
}

TEST(Amf0, RoundTripsEveryType) {
  const std::vector<Amf0Value> all = {
      Amf0Value::number(-2.5),
      Amf0Value::number(std::nan("")),
      Amf0Value::boolean(true),
      Amf0Value::boolean(false),
      str(""),
      str(std::string(70000, 'x')),  // long string
      Amf0Value::null(),
      Amf0Value::undefined(),
      Amf0Value::object(
          {{"level", str("status")}, {"nested", Amf0Value::object({{"n", Amf0Value::number(3)}})}}),
      Amf0Value::ecmaArray({{"duration", Amf0Value::number(0)}, {"width", Amf0Value::number(1920)}}),
      Amf0Value::strictArray({Amf0Value::number(1), str("two"), Amf0Value::null()}),
      Amf0Value::date(1.7e12, -60),
  };
  auto decoded = decodeAmf0(encodeAmf0(all));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(*decoded, all);
  EXPECT_EQ((*decoded)[5].type(), Amf0Type::LongString);
  EXPECT_EQ((*decoded)[11].timezone(), -60);
}

TEST(Amf0, EncodesOnStatusLikeTheSpec) {
  Bytes out;
  encodeAmf0(Amf0Value::object({{"code", str("NetStream.Publish.Start")}}), out);
  const Bytes want = {0x03, 0x00, 0x04, 'c', 'o', 'd', 'e', 0x02, 0x00, 0x17, 'N',  'e',
                      't',  'S',  't',  'r', 'e', 'a', 'm', '.',  'P',  'u',  'b',  'l',
                      'i',  's',  'h',  '.', 'S', 't', 'a', 'r',  't',  0x00, 0x00, 0x09};
  EXPECT_EQ(out, want);
}

TEST(Amf0, EcmaArrayCountIsAdvisory) {
  // onMetaData from some encoders declares a count that does not match; the end marker rules.
  const Bytes wire = {0x08, 0x00, 0x00, 0x00, 0x09, 0x00, 0x01, 'w',  0x00, 0x40,
                      0x9e, 0,    0,    0,    0,    0,    0,    0x00, 0x00, 0x09};
  auto v = decodeAmf0(wire);
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ((*v)[0].get("w")->asNumber(), 1920.0);
}

TEST(Amf0, EveryTruncationIsAnErrorNotACrash) {
  const Bytes wire = ffmpegConnectPayload();
  // Cut inside the object (it starts at offset 19): the object cannot complete.
  for (std::size_t cut = 20; cut < wire.size(); ++cut) {
    auto v = decodeAmf0(ByteView(wire.data(), cut));
    ASSERT_FALSE(v.ok()) << cut;
    EXPECT_EQ(v.error().code, "rtmp.amf0_truncated") << cut;
  }
}

TEST(Amf0, RefusesUnknownTypes) {
  for (std::uint8_t marker : {0x04, 0x07, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0xff}) {
    const Bytes wire = {marker, 0, 0, 0, 0, 0, 0, 0, 0};
    auto v = decodeAmf0(wire);
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.error().code, "rtmp.amf0_unknown_type") << int(marker);
  }
}

TEST(Amf0, RefusesObjectEndOutsideObject) {
  auto v = decodeAmf0(Bytes{0x09});
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, "rtmp.amf0_unexpected_object_end");
}

TEST(Amf0, RefusesNestingDeeperThanLimit) {
  Bytes deep;
  for (int i = 0; i < 40; ++i) deep.insert(deep.end(), {0x0a, 0, 0, 0, 1});  // [[[[...
  deep.push_back(0x05);
  auto v = decodeAmf0(deep);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, "rtmp.amf0_too_deep");

  Amf0Limits roomy;
  roomy.maxDepth = 64;
  EXPECT_TRUE(decodeAmf0(deep, roomy).ok());
}

TEST(Amf0, HugeDeclaredArrayCountAllocatesNothing) {
  const Bytes wire = {0x0a, 0xff, 0xff, 0xff, 0xff, 0x05};
  auto v = decodeAmf0(wire);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, "rtmp.amf0_truncated");
}

TEST(Amf0, RefusesTooManyItems) {
  Bytes wire = {0x0a, 0x00, 0x00, 0x01, 0x00};  // 256 nulls
  wire.insert(wire.end(), 256, 0x05);
  Amf0Limits limits;
  limits.maxItems = 100;
  auto v = decodeAmf0(wire, limits);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, "rtmp.amf0_too_many_items");
}

TEST(Amf0, RefusesStringAboveLimit) {
  Bytes wire;
  encodeAmf0(str(std::string(5000, 'k')), wire);
  Amf0Limits limits;
  limits.maxStringSize = 4096;
  auto v = decodeAmf0(wire, limits);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, "rtmp.amf0_string_too_long");
  // A declared 4 GiB long string is refused on its length, before anything is read.
  auto huge = decodeAmf0(Bytes{0x0c, 0xff, 0xff, 0xff, 0xff, 'a'});
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.error().code, "rtmp.amf0_string_too_long");
}

TEST(Amf0, DecoderReadsValuesOneByOne) {
  const Bytes wire =
      encodeAmf0({str("publish"), Amf0Value::number(5), Amf0Value::null(), str("key123"), str("live")});
  Amf0Decoder d(wire);
  std::vector<std::string> seen;
  while (!d.atEnd()) {
    auto v = d.next();
    ASSERT_TRUE(v.ok());
    seen.push_back(v->isString() ? v->asString() : "-");
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"publish", "-", "-", "key123", "live"}));
  EXPECT_EQ(d.offset(), wire.size());
}

}  // namespace
}  // namespace hub::media::rtmp
