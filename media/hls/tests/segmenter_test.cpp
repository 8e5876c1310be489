// media/hls/tests/segmenter_test.cpp
//
// Part and segment cutting on synthetic RTMP-like timestamps: part sizes, key-frame segment
// starts, a decode timeline without holes across parts, discontinuities and codec changes,
// audio-only and video-only sources, and a rung that drops frames (gaps in its timestamps),
// with audio going on through the holes (none of it lost) or stopping too (listed as a gap).
#include "media/hls/segmenter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "media/hls/tests/box_reader.h"
#include "media/hls/tests/synthetic_source.h"

namespace hub::media::hls {
namespace {

using test::be32;
using test::be64;
using test::boxes;
using test::child;
using test::children;

struct Recorder : SegmenterOutput {
  struct Seg {
    std::vector<CutPart> parts;
    double duration = 0;
  };
  std::vector<int> inits;
  std::vector<CutPart> parts;
  std::vector<std::size_t> segmentEnds;  // index into parts after which a segment closed
  std::vector<double> gaps;              // seconds of each gap reported
  void initChanged(int version, SharedBytes init, const std::vector<TrackInfo>&) override {
    EXPECT_TRUE(init && !init->empty());
    inits.push_back(version);
  }
  void partCut(CutPart p) override { parts.push_back(std::move(p)); }
  void segmentClosed() override { segmentEnds.push_back(parts.size()); }
  void gap(double seconds) override { gaps.push_back(seconds); }
};

// Feeds Frames into a Segmenter (the FrameSink the source pushes into).
struct Sink : FrameSink {
  explicit Sink(Segmenter& s) : seg(s) {}
  void tracks(const std::vector<TrackInfo>& t) override { seg.tracks(t); }
  void frame(const Frame& f) override { seg.frame(f); }
  void discontinuity() override { seg.discontinuity(); }
  void end() override { seg.flush(); }
  Segmenter& seg;
};

struct TrackTimes {
  std::uint64_t base = 0, total = 0;
  std::size_t samples = 0;
};

// tfdt and the sum of sample durations of each track in one part.
std::map<std::uint32_t, TrackTimes> times(const CutPart& p) {
  std::map<std::uint32_t, TrackTimes> out;
  auto top = boxes(*p.data);
  auto moof = children(top.at(0));  // `child` points into this list: keep it alive
  for (int i = 0;; ++i) {
    const auto* traf = child(moof, "traf", i);
    if (!traf) break;
    auto kids = children(*traf);
    auto id = be32(child(kids, "tfhd")->payload, 4);
    auto trun = child(kids, "trun")->payload;
    bool video = be32(trun, 0) & 0x400;
    std::size_t stride = video ? 16 : 8;
    TrackTimes t;
    t.base = be64(child(kids, "tfdt")->payload, 4);
    t.samples = be32(trun, 4);
    for (std::size_t s = 0; s < t.samples; ++s) t.total += be32(trun, 12 + s * stride);
    out[id] = t;
  }
  return out;
}

void expectContinuous(const std::vector<CutPart>& parts, std::uint32_t track) {
  std::uint64_t end = 0;
  bool first = true;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    auto t = times(parts[i]);
    if (!t.count(track)) continue;
    if (!first) {
      EXPECT_EQ(t[track].base, end) << "track " << track << " part " << i;
    }
    end = t[track].base + t[track].total;
    first = false;
  }
}

LiveOptions defaults() { return LiveOptions{}; }

TEST(Segmenter, VideoWithAudioCutsPartsAndKeyFrameSegments) {
  Recorder out;
  Segmenter seg(defaults(), out);
  Sink sink(seg);
  test::SyntheticSource src(true, true, 30, 30);
  sink.tracks(src.tracks());
  src.push(sink, 6.1);
  ASSERT_EQ(out.inits, std::vector<int>{0});
  // Key frames every second, segments of 2 s: closed at 2, 4 and 6 s.
  ASSERT_EQ(out.segmentEnds.size(), 3u);
  EXPECT_EQ(out.segmentEnds[0], 6u);  // 6 parts of 10 frames
  EXPECT_EQ(out.segmentEnds[1], 12u);
  double seg0 = 0;
  for (std::size_t i = 0; i < 6; ++i) seg0 += out.parts[i].duration;
  EXPECT_NEAR(seg0, 2.0, 0.002);
  for (std::size_t i = 0; i < out.parts.size(); ++i) {
    const auto& p = out.parts[i];
    EXPECT_LE(p.duration, 0.334 + 0.002) << i;
    EXPECT_GE(p.duration, 0.3) << i;
    EXPECT_EQ(p.startsSegment, i % 6 == 0) << i;
    EXPECT_EQ(p.independent, i % 3 == 0) << i;  // a key frame every 3 parts (1 s)
    EXPECT_FALSE(p.discontinuity);
    EXPECT_EQ(times(p)[1].samples, 10u) << i;
  }
  expectContinuous(out.parts, 1);
  expectContinuous(out.parts, 2);
  // 6 s of audio in the parts cut so far, at 48 kHz, within one AAC frame.
  std::uint64_t audio = 0;
  for (const auto& p : out.parts) audio += times(p)[2].total;
  EXPECT_NEAR(static_cast<double>(audio) / 48000, 6.0, 0.03);
  EXPECT_NEAR(seg.measuredFrameRate(), 30.0, 0.2);
}

TEST(Segmenter, AudioOnlyAndVideoOnlySources) {
  {
    Recorder out;
    Segmenter seg(defaults(), out);
    Sink sink(seg);
    test::SyntheticSource src(false, true);
    sink.tracks(src.tracks());
    src.push(sink, 4.5);
    ASSERT_GE(out.segmentEnds.size(), 2u);
    for (const auto& p : out.parts) {
      EXPECT_TRUE(p.independent);
      EXPECT_LE(p.duration, 0.336);
      EXPECT_GE(p.duration, 0.3);
    }
    // Whole parts of 15 AAC frames (0.32 s): segments of 6 parts.
    EXPECT_EQ(out.segmentEnds[0], 6u);
    EXPECT_EQ(out.segmentEnds[1], 12u);
    expectContinuous(out.parts, 1);
  }
  {
    Recorder out;
    Segmenter seg(defaults(), out);
    Sink sink(seg);
    test::SyntheticSource src(true, false, 25, 50);  // 25 fps, 2 s GOPs
    sink.tracks(src.tracks());
    src.push(sink, 4.1);
    ASSERT_EQ(out.segmentEnds.size(), 2u);
    // 8 frames = 0.32 s; a GOP of 50 frames leaves a last part of 2 before the key frame.
    for (std::size_t i = 0; i < out.parts.size(); ++i)
      EXPECT_EQ(times(out.parts[i])[1].samples, i % 7 == 6 ? 2u : 8u) << i;
    expectContinuous(out.parts, 1);
  }
}

TEST(Segmenter, DiscontinuityContinuesTheTimelineFromAKeyFrame) {
  Recorder out;
  Segmenter seg(defaults(), out);
  Sink sink(seg);
  test::SyntheticSource src(true, true);
  sink.tracks(src.tracks());
  src.push(sink, 2.5);
  auto before = out.parts.size();
  auto end = times(out.parts.back())[1];
  sink.discontinuity();  // flushes what was open
  EXPECT_GT(out.parts.size(), before);
  EXPECT_EQ(out.segmentEnds.back(), out.parts.size());
  auto lastBefore = times(out.parts.back())[1];
  src.restart(0);  // the new publisher's clock starts at 0
  src.push(sink, 1.0);
  const auto& first = out.parts[out.segmentEnds.back()];
  EXPECT_TRUE(first.startsSegment);
  EXPECT_TRUE(first.discontinuity);
  EXPECT_TRUE(first.independent);
  EXPECT_EQ(times(first)[1].base, lastBefore.base + lastBefore.total);
  EXPECT_GT(times(first)[1].base, end.base);
  EXPECT_EQ(out.inits.size(), 1u);  // same codecs: same init
}

TEST(Segmenter, CodecChangeMakesANewInitAndWaitsForAKeyFrame) {
  Recorder out;
  Segmenter seg(defaults(), out);
  Sink sink(seg);
  test::SyntheticSource src(true, true);
  sink.tracks(src.tracks());
  sink.tracks(src.tracks());  // unchanged: nothing happens
  src.push(sink, 1.0);
  auto tracks = src.tracks();
  tracks[0].codecData[3] = 0x28;  // another level
  tracks[0].width = 1280;
  tracks[0].height = 720;
  sink.tracks(tracks);
  EXPECT_EQ(out.inits, (std::vector<int>{0, 1}));
  Frame delta;
  delta.codec = Codec::H264;
  delta.keyFrame = false;
  delta.dtsUs = delta.ptsUs = 1'000'000;
  delta.data = Payload{std::make_shared<const std::vector<std::uint8_t>>(10, 0), 0, 10};
  auto dropped = seg.droppedFrames();
  sink.frame(delta);
  EXPECT_EQ(seg.droppedFrames(), dropped + 1);
  src.push(sink, 1.0);
  auto it = std::find_if(out.parts.begin(), out.parts.end(), [](auto& p) { return p.initVersion == 1; });
  ASSERT_NE(it, out.parts.end());
  EXPECT_TRUE(it->startsSegment);
  EXPECT_TRUE(it->discontinuity);
}

}  // namespace
}  // namespace hub::media::hls

namespace hub::media::hls {
namespace {

// A ladder rung that falls behind drops video until a key frame: its frames have holes in
// their timestamps, and after a hole the next frame may not be a key frame. Segments must
// follow media time: no part or segment stretches over a hole (each lasts as long as the video
// it holds), a key frame after a hole starts a segment, frames keep their true media times.
TEST(Segmenter, GapsInTimestampsAreNeverStretchedOver) {
  Recorder out;
  Segmenter seg(defaults(), out);
  test::SyntheticSource shape(true, false);
  seg.tracks(shape.tracks());
  auto payload = std::make_shared<const std::vector<std::uint8_t>>(100, 0x42);
  auto kept = [](int i) {  // 30 fps, a key frame every 30 frames; dropped: [0.5, 1.0) and [1.3, 14.1)
    return i < 15 || (i >= 30 && i < 39) || i >= 423;
  };
  for (int i = 0; i < 30 * 18; ++i) {
    if (!kept(i)) continue;
    Frame f;
    f.codec = Codec::H264;
    f.dtsUs = f.ptsUs = std::int64_t{i} * 1000000 / 30;
    f.keyFrame = i % 30 == 0;
    f.data = Payload{payload, 0, payload->size()};
    seg.frame(f);
  }
  seg.flush();

  std::vector<double> durations;
  std::vector<std::uint64_t> starts;
  std::size_t first = 0;
  for (auto end : out.segmentEnds) {
    ASSERT_LT(first, end);
    EXPECT_TRUE(out.parts[first].startsSegment);
    EXPECT_TRUE(out.parts[first].independent);
    starts.push_back(times(out.parts[first])[1].base);
    double d = 0;
    for (auto i = first; i < end; ++i) d += out.parts[i].duration;
    durations.push_back(d);
    first = end;
  }
  ASSERT_GE(durations.size(), 4u);
  for (double d : durations) EXPECT_LE(d, 2.0 + 1.0 / 30 + 0.002);
  EXPECT_NEAR(durations[0], 0.5, 0.002);        // frames 0..14
  EXPECT_NEAR(durations[1], 0.3 + 0.9, 0.002);  // frames 30..38, then 423..449 after the hole
  EXPECT_EQ(starts[1], 90000u);                 // at 1 s
  EXPECT_EQ(starts[2], 15u * 90000u);           // the first key frame after the hole
  EXPECT_EQ(seg.droppedFrames(), 0u);
  for (const auto& p : out.parts) EXPECT_LE(p.duration, 0.334 + 0.002);
  bool resumedAtItsTime = false;  // the part after the hole starts at 14.1 s, not at 1.3 s
  for (const auto& p : out.parts) resumedAtItsTime |= times(p)[1].base == 423u * 3000u;
  EXPECT_TRUE(resumedAtItsTime);
  double total = 0;
  for (double d : durations) total += d;
  EXPECT_NEAR(total, 0.5 + 0.3 + 0.9 + 3.0, 0.01);  // the video there is, not the holes
}

// Feeds 30 fps video (a key frame every 30 frames, the ones `kept` says) and 48 kHz AAC audio
// (the frames `audioKept` says, by time) in dts order up to `seconds`, then flushes; returns the
// audio frames sent.
template <typename Kept, typename AudioKept>
int feedWithHoles(Segmenter& seg, double seconds, Kept kept, AudioKept audioKept) {
  auto payload = std::make_shared<const std::vector<std::uint8_t>>(100, 0x42);
  int audioSent = 0, v = 0, a = 0;
  auto end = static_cast<std::int64_t>(seconds * 1e6);
  while (true) {
    std::int64_t vUs = std::int64_t{v} * 1000000 / 30;
    std::int64_t aUs = std::int64_t{a} * 1024 * 1000000 / 48000;
    if (std::min(vUs, aUs) >= end) break;
    Frame f;
    f.data = Payload{payload, 0, payload->size()};
    if (aUs < vUs) {
      f.codec = Codec::Aac;
      f.dtsUs = f.ptsUs = aUs;
      f.keyFrame = true;
      ++a;
      if (!audioKept(aUs)) continue;
      ++audioSent;
      seg.frame(f);
      continue;
    }
    f.codec = Codec::H264;
    f.dtsUs = f.ptsUs = vUs;
    f.keyFrame = v % 30 == 0;
    if (kept(v++)) seg.frame(f);
  }
  seg.flush();
  return audioSent;
}

// A rung whose video has holes while its audio (the source's, passed through) goes on: no audio
// frame is lost, each track's timeline stays whole (the frame after a hole is moved back to
// where the video stopped, and lasts the hole), nothing is listed as a gap, and the parts and
// segments list the whole media time within their targets. Holes: right after a part closed
// (short ones, and one longer than a segment, during which the audio is cut on its own), and in
// the middle of a part.
TEST(Segmenter, AudioInAVideoHoleIsKept) {
  Recorder out;
  Segmenter seg(defaults(), out);
  test::SyntheticSource shape(true, true);
  seg.tracks(shape.tracks());
  // 30 fps, parts of 10 frames. Dropped: [0.667, 1.0) (ends at a key frame) and [1.333, 1.8)
  // (ends mid-GOP), each right after the frame that filled a part (19 and 39); [2.5, 5.5), a
  // long stall that began mid-part and ends mid-GOP; [6.8, 8.0), mid-part, ending at a key.
  auto kept = [](int i) {
    return i < 20 || (i >= 30 && i < 40) || (i >= 54 && i < 75) || (i >= 165 && i < 204) || i >= 240;
  };
  int videoKept = 0;
  for (int i = 0; i < 30 * 10; ++i) videoKept += kept(i);
  int audioSent = feedWithHoles(seg, 10.0, kept, [](std::int64_t) { return true; });

  EXPECT_EQ(seg.droppedFrames(), 0u);
  EXPECT_TRUE(out.gaps.empty());
  std::size_t audioCut = 0, videoCut = 0;
  std::uint64_t videoEnd = 0;
  for (const auto& p : out.parts) {
    auto t = times(p);
    audioCut += t[2].samples;
    videoCut += t[1].samples;
    if (t[1].samples) videoEnd = t[1].base + t[1].total;
  }
  EXPECT_EQ(audioCut, static_cast<std::size_t>(audioSent));
  EXPECT_EQ(videoCut, static_cast<std::size_t>(videoKept));
  expectContinuous(out.parts, 1);
  expectContinuous(out.parts, 2);
  EXPECT_EQ(videoEnd, 300u * 3000u);  // the video's timeline ends where its last frame does

  // Parts within the part target, segments within the segment target, together the whole 10 s.
  double total = 0;
  std::size_t first = 0, audioOnly = 0;
  for (auto end : out.segmentEnds) {
    ASSERT_LT(first, end);
    EXPECT_TRUE(out.parts[first].startsSegment);
    EXPECT_TRUE(out.parts[first].independent);
    double d = 0;
    for (auto i = first; i < end; ++i) d += out.parts[i].duration;
    EXPECT_LE(std::lround(d), 2) << "segment ending at part " << end;
    total += d;
    first = end;
  }
  for (const auto& p : out.parts) {
    EXPECT_LE(p.duration, advertisedPartTarget(defaults())) << total;
    audioOnly += times(p).count(1) ? 0 : 1;
  }
  EXPECT_NEAR(total, 10.0, 0.002);
  EXPECT_GE(audioOnly, 6u);  // the long stall went out as audio while it lasted
}

// A publisher whose audio time stamps run a second ahead of its video's (sent in step): no
// hole, so parts are cut on the video as usual, never on the audio alone.
TEST(Segmenter, AudioAheadOfTheVideoIsNoHole) {
  Recorder out;
  Segmenter seg(defaults(), out);
  test::SyntheticSource shape(true, true);
  seg.tracks(shape.tracks());
  auto payload = std::make_shared<const std::vector<std::uint8_t>>(100, 0x42);
  int audioSent = 0;
  for (int v = 0, a = 0; v < 30 * 6;) {
    std::int64_t vUs = std::int64_t{v} * 1000000 / 30, aUs = std::int64_t{a} * 1024 * 1000000 / 48000;
    Frame f;
    f.data = Payload{payload, 0, payload->size()};
    f.keyFrame = aUs < vUs || v % 30 == 0;
    f.codec = aUs < vUs ? Codec::Aac : Codec::H264;
    f.dtsUs = f.ptsUs = aUs < vUs ? aUs + 1'000'000 : vUs;
    if (aUs < vUs) {
      ++a;
      ++audioSent;
    } else {
      ++v;
    }
    seg.frame(f);
  }
  seg.flush();
  std::size_t audioCut = 0;
  for (std::size_t i = 0; i < out.parts.size(); ++i) {
    auto t = times(out.parts[i]);
    audioCut += t[2].samples;
    EXPECT_EQ(t[1].samples, 10u) << i;
  }
  EXPECT_EQ(out.parts.size(), 18u);  // 6 s of video; the audio ahead of it goes out with it
  EXPECT_EQ(audioCut, static_cast<std::size_t>(audioSent));
}

// When the audio stops too (a publisher that stalled), nothing plays in the hole: it is listed
// as a gap, and the audio before and after it is kept; also when the audio comes back first.
TEST(Segmenter, AHoleWithoutAudioIsAGap) {
  for (std::int64_t audioBackUs : {5'000'000, 4'900'000}) {
    Recorder out;
    Segmenter seg(defaults(), out);
    test::SyntheticSource shape(true, true);
    seg.tracks(shape.tracks());
    auto kept = [](int i) { return i < 75 || i >= 150; };  // no video in [2.5, 5.0)
    int audioSent =
        feedWithHoles(seg, 7.0, kept, [&](std::int64_t us) { return us < 2'500'000 || us >= audioBackUs; });
    std::size_t audioCut = 0;
    double listed = 0;
    for (const auto& p : out.parts) {
      audioCut += times(p)[2].samples;
      listed += p.duration;
    }
    EXPECT_EQ(audioCut, static_cast<std::size_t>(audioSent)) << audioBackUs;
    ASSERT_EQ(out.gaps.size(), 1u) << audioBackUs;
    EXPECT_NEAR(out.gaps[0], 2.5, 0.05) << audioBackUs;
    EXPECT_NEAR(listed + out.gaps[0], 7.0, 0.03) << audioBackUs;
    bool resumedAtItsTime = false;
    for (const auto& p : out.parts) resumedAtItsTime |= times(p).count(1) && times(p)[1].base == 150u * 3000u;
    EXPECT_TRUE(resumedAtItsTime) << audioBackUs;
  }
}

}  // namespace
}  // namespace hub::media::hls
