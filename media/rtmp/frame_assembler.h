// media/rtmp/frame_assembler.h
//
// Turns one publisher's audio and video messages into media::TrackInfo and media::Frame calls
// on a FrameSink: parses the FLV tag bodies, keeps the codec data (avcC, hvcC, AudioSpecificConfig),
// reads the picture size from the SPS, unwraps the 32-bit millisecond timestamps and keeps each
// track's decode times rising. Frames share the message's buffer; nothing is copied unless a
// publisher uses NAL length fields other than 4 bytes.
//
// Defined outcomes for odd publishers:
// - tracks() waits until every track onMetaData announced has its sequence header, or until
//   kTrackWait of media went by (an announced track that never comes is then left out); without
//   onMetaData both tracks are expected. Frames of a track without codec data are dropped.
// - A timestamp going backwards within a track is moved to just after the previous one (counted).
// - Codec data that change mid-stream announce the tracks again.
// - MP3 audio is announced as a Codec::Mp3 track (rate and channels from its first frame
//   header; again when they change); the stream's pipeline re-encodes it to AAC.
// - Codecs other than H.264, HEVC, AAC and MP3 are an error (the session closes the connection).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/util/result.h"
#include "media/frames/frame.h"
#include "media/rtmp/amf0.h"
#include "media/rtmp/bytes.h"

namespace hub::media::rtmp {

class FrameAssembler {
 public:
  static constexpr std::int64_t kTrackWaitUs = 1'000'000;
  static constexpr std::size_t kMaxPendingFrames = 600;

  struct Stats {
    std::uint64_t videoFrames = 0, audioFrames = 0;  // handed to the sink
    std::uint64_t droppedFrames = 0;                 // no codec data for their track
    std::uint64_t timestampsBackwards = 0;
  };

  explicit FrameAssembler(FrameSink& sink) : sink_(&sink) {}

  // onMetaData's object (or ECMA array).
  void metadata(const Amf0Value& object);
  // Error codes: those of parseVideoTag/parseAudioTag (rtmp.flv_*).
  Status video(std::uint32_t timestamp, Bytes payload, std::chrono::system_clock::time_point wall);
  Status audio(std::uint32_t timestamp, Bytes payload, std::chrono::system_clock::time_point wall);
  // The publisher is leaving: frames still waiting for tracks() go out with what is known.
  void flush();

  const Stats& stats() const { return stats_; }
  // The tracks announced so far (empty before the first tracks() call).
  const std::vector<TrackInfo>& announced() const { return announced_; }

 private:
  struct TrackState {
    std::optional<TrackInfo> info;
    std::uint32_t lastRaw = 0;
    std::int64_t wraps = 0;
    std::optional<std::int64_t> lastDtsUs;
    int nalLengthSize = 4;
  };

  std::int64_t unwrap(TrackState& t, std::uint32_t raw);
  void deliver(Frame frame);
  void announce();
  void maybeAnnounce(std::int64_t dtsUs);
  std::int64_t monotonic(TrackState& t, std::int64_t dtsUs);
  Payload nalPayload(const std::shared_ptr<const Bytes>& owner, ByteView data, int lengthSize);

  FrameSink* sink_;
  TrackState video_, audio_;
  bool expectVideo_ = true, expectAudio_ = true;
  double metaFrameRate_ = 0;
  int metaWidth_ = 0, metaHeight_ = 0;
  std::int64_t metaVideoBitrate_ = 0, metaAudioBitrate_ = 0;
  bool announcedOnce_ = false;
  std::vector<TrackInfo> announced_;
  std::vector<Frame> pending_;
  std::optional<std::int64_t> firstPendingDtsUs_;
  Stats stats_;
};

}  // namespace hub::media::rtmp
