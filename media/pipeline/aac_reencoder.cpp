// media/pipeline/aac_reencoder.cpp
//
// MP3 -> AAC-LC with libavcodec (see aac_reencoder.h). MP3 frames hold 1152 (MPEG-1) or 576
// samples and AAC frames 1024, so decoded samples wait in an AVAudioFifo until a whole AAC frame
// is there. Output times are the first input timestamp plus the samples encoded; a publisher
// timestamp that moves away from that count by more than kResyncUs (a hole, a jump) moves the
// base with it, so audio stays where the publisher put it.
#include "media/pipeline/aac_reencoder.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/channel_layout.h>
}

#include <cstdlib>
#include <cstring>
#include <optional>

#include "core/log/log.h"
#include "media/pipeline/av_handles.h"

namespace hub::media::pipeline {
namespace {

const auto& logger() {
  static const auto log = hub::log::get("media.pipeline");
  return log;
}

constexpr int kAacFrameSamples = 1024;
constexpr std::int64_t kResyncUs = 100'000;
constexpr std::int64_t kBitsPerChannel = 64'000;

struct FifoFree {
  void operator()(AVAudioFifo* f) const { av_audio_fifo_free(f); }
};
using FifoPtr = std::unique_ptr<AVAudioFifo, FifoFree>;

}  // namespace

class AacReencoder::Impl {
 public:
  Impl(std::string stream, FrameSink& next) : stream_(std::move(stream)), next_(next) {}

  void tracks(const std::vector<TrackInfo>& tracks) {
    drain();
    close();
    std::vector<TrackInfo> out;
    for (const auto& t : tracks) {
      if (t.codec != Codec::Mp3) {
        out.push_back(t);
        continue;
      }
      if (auto aac = open(t)) {
        logger()->info("[stream={}] audio {} at {} Hz, {} channel(s): re-encoded to AAC-LC", stream_,
                       codecName(t.codec), t.sampleRate, t.channels);
        out.push_back(*aac);
      }
    }
    next_.tracks(out);
  }

  void frame(const Frame& f) {
    if (f.codec != Codec::Mp3) return next_.frame(f);
    if (!decoder_) return;  // the re-encoder did not start: the audio is left out
    const std::int64_t rate = encoder_->sample_rate;
    if (baseUs_ < 0) {
      baseUs_ = f.dtsUs;
    } else {
      const std::int64_t expected = baseUs_ + samplesIn_ * 1'000'000 / rate;
      if (std::llabs(f.dtsUs - expected) > kResyncUs) baseUs_ += f.dtsUs - expected;
    }
    wallClock_ = f.wallClock;
    const auto bytes = f.data.view();
    if (av_new_packet(packet_.get(), static_cast<int>(bytes.size())) < 0) return;
    std::memcpy(packet_->data, bytes.data(), bytes.size());
    int rc = avcodec_send_packet(decoder_.get(), packet_.get());
    av_packet_unref(packet_.get());
    if (rc < 0) {
      logger()->debug("[stream={}] an MP3 frame did not decode: {}", stream_, avError(rc));
      return;
    }
    while (avcodec_receive_frame(decoder_.get(), decoded_.get()) == 0) {
      const bool fits = decoded_->format == AV_SAMPLE_FMT_FLTP &&
                        decoded_->sample_rate == encoder_->sample_rate &&
                        decoded_->ch_layout.nb_channels == encoder_->ch_layout.nb_channels;
      if (fits) {
        samplesIn_ += decoded_->nb_samples;
        av_audio_fifo_write(fifo_.get(), reinterpret_cast<void**>(decoded_->data), decoded_->nb_samples);
      } else if (!warnedFormat_) {
        warnedFormat_ = true;
        logger()->warn(
            "[stream={}] decoded MP3 changed format mid-track ({} Hz, {} channels): dropped until "
            "the publisher announces it",
            stream_, decoded_->sample_rate, decoded_->ch_layout.nb_channels);
      }
      av_frame_unref(decoded_.get());
    }
    while (av_audio_fifo_size(fifo_.get()) >= kAacFrameSamples) encodeOne();
  }

  void discontinuity() {
    drain();
    reopen();
    next_.discontinuity();
  }

  void end() {
    drain();
    close();
    next_.end();
  }

  std::uint64_t encodedFrames() const { return encoded_; }

 private:
  std::optional<TrackInfo> open(const TrackInfo& in) {
    track_ = in;
    const AVCodec* dec = avcodec_find_decoder_by_name("mp3float");
    const AVCodec* enc = avcodec_find_encoder(AV_CODEC_ID_AAC);
    if (!dec || !enc) return fail("libavcodec has no mp3float decoder or AAC encoder");
    if (in.sampleRate <= 0 || in.channels <= 0) return fail("no sample rate or channels");
    decoder_.reset(avcodec_alloc_context3(dec));
    encoder_.reset(avcodec_alloc_context3(enc));
    decoded_.reset(av_frame_alloc());
    frame_.reset(av_frame_alloc());
    packet_.reset(av_packet_alloc());
    if (!decoder_ || !encoder_ || !decoded_ || !frame_ || !packet_) return fail("out of memory");
    decoder_->sample_rate = in.sampleRate;
    av_channel_layout_default(&decoder_->ch_layout, in.channels);
    if (int rc = avcodec_open2(decoder_.get(), dec, nullptr); rc < 0)
      return fail("MP3 decoder: " + avError(rc));
    encoder_->sample_fmt = AV_SAMPLE_FMT_FLTP;
    encoder_->sample_rate = in.sampleRate;
    av_channel_layout_default(&encoder_->ch_layout, in.channels);
    encoder_->bit_rate = kBitsPerChannel * in.channels;
    encoder_->time_base = AVRational{1, in.sampleRate};
    encoder_->profile = FF_PROFILE_AAC_LOW;
    encoder_->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;  // the AudioSpecificConfig in extradata
    if (int rc = avcodec_open2(encoder_.get(), enc, nullptr); rc < 0)
      return fail("AAC encoder: " + avError(rc));
    if (!encoder_->extradata || encoder_->extradata_size < 2)
      return fail("AAC encoder made no AudioSpecificConfig");
    frame_->nb_samples = kAacFrameSamples;
    frame_->format = AV_SAMPLE_FMT_FLTP;
    frame_->sample_rate = in.sampleRate;
    av_channel_layout_copy(&frame_->ch_layout, &encoder_->ch_layout);
    if (int rc = av_frame_get_buffer(frame_.get(), 0); rc < 0) return fail("frame buffer: " + avError(rc));
    fifo_.reset(av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP, in.channels, 4 * kAacFrameSamples));
    if (!fifo_) return fail("out of memory");
    TrackInfo aac;
    aac.codec = Codec::Aac;
    aac.codecData.assign(encoder_->extradata, encoder_->extradata + encoder_->extradata_size);
    aac.sampleRate = in.sampleRate;
    aac.channels = in.channels;
    aac.bitrate = encoder_->bit_rate;
    return aac;
  }

  std::nullopt_t fail(const std::string& why) {
    logger()->error(
        "[stream={}] MP3 audio cannot be re-encoded to AAC ({}): the stream goes on without audio", stream_,
        why);
    close();
    return std::nullopt;
  }

  void close() {
    decoder_.reset();
    encoder_.reset();
    fifo_.reset();
    baseUs_ = -1;
    samplesIn_ = samplesOut_ = 0;
    lastOutUs_.reset();
    warnedFormat_ = false;
  }

  // The same track again on a new timeline (a publisher came back).
  void reopen() {
    if (!track_ || !encoder_) return;
    auto track = *track_;
    close();
    (void)open(track);
  }

  void encodeOne() {
    if (av_frame_make_writable(frame_.get()) < 0) return;
    av_audio_fifo_read(fifo_.get(), reinterpret_cast<void**>(frame_->data), kAacFrameSamples);
    frame_->pts = samplesOut_;
    samplesOut_ += kAacFrameSamples;
    if (avcodec_send_frame(encoder_.get(), frame_.get()) == 0) receivePackets();
  }

  // The samples still in the encoder (its look-ahead) come out; the fifo's last partial frame,
  // under 1024 samples (23 ms at 44.1 kHz), does not.
  void drain() {
    if (!encoder_) return;
    if (avcodec_send_frame(encoder_.get(), nullptr) == 0) receivePackets();
  }

  void receivePackets() {
    const std::int64_t rate = encoder_->sample_rate;
    while (avcodec_receive_packet(encoder_.get(), packet_.get()) == 0) {
      Frame out;
      out.codec = Codec::Aac;
      std::int64_t us = baseUs_ + packet_->pts * 1'000'000 / rate;
      if (lastOutUs_ && us <= *lastOutUs_) us = *lastOutUs_ + 1;
      lastOutUs_ = us;
      out.dtsUs = out.ptsUs = us;
      out.keyFrame = true;
      auto bytes = std::make_shared<std::vector<std::uint8_t>>(packet_->data, packet_->data + packet_->size);
      out.data = Payload{bytes, 0, bytes->size()};
      out.wallClock = wallClock_;
      av_packet_unref(packet_.get());
      ++encoded_;
      next_.frame(out);
    }
  }

  const std::string stream_;
  FrameSink& next_;
  std::optional<TrackInfo> track_;
  CodecContextPtr decoder_, encoder_;
  FramePtr decoded_, frame_;
  PacketPtr packet_;
  FifoPtr fifo_;
  std::int64_t baseUs_ = -1;
  std::int64_t samplesIn_ = 0, samplesOut_ = 0;
  std::optional<std::int64_t> lastOutUs_;
  std::chrono::system_clock::time_point wallClock_{};
  bool warnedFormat_ = false;
  std::uint64_t encoded_ = 0;
};

AacReencoder::AacReencoder(std::string stream, FrameSink& next)
    : impl_(std::make_unique<Impl>(std::move(stream), next)) {}
AacReencoder::~AacReencoder() = default;
void AacReencoder::tracks(const std::vector<TrackInfo>& tracks) { impl_->tracks(tracks); }
void AacReencoder::frame(const Frame& frame) { impl_->frame(frame); }
void AacReencoder::discontinuity() { impl_->discontinuity(); }
void AacReencoder::end() { impl_->end(); }
std::uint64_t AacReencoder::encodedFrames() const { return impl_->encodedFrames(); }

}  // namespace hub::media::pipeline
