// media/pipeline/tests/clip.cpp
//
// ffmpeg-made clips demuxed with libavformat, libavcodec decoding, and the recording sinks.
#include "media/pipeline/tests/clip.h"

#include <gtest/gtest.h>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

#include "tests/support/fixtures.h"

namespace hub::media::pipeline::test {

const TrackInfo* Clip::video() const {
  for (const auto& t : tracks)
    if (isVideo(t.codec)) return &t;
  return nullptr;
}

std::vector<Frame> Clip::videoFrames() const {
  std::vector<Frame> out;
  for (const auto& f : frames)
    if (isVideo(f.codec)) out.push_back(f);
  return out;
}

std::vector<Frame> Clip::audioFrames() const {
  std::vector<Frame> out;
  for (const auto& f : frames)
    if (!isVideo(f.codec)) out.push_back(f);
  return out;
}

Clip makeClip(const std::string& dir, const std::string& size, double seconds,
              const std::string& videoCodec) {
  Clip clip;
  std::string path = dir + "/clip-" + videoCodec + "-" + size + ".mp4";
  std::string duration = std::to_string(seconds);
  std::vector<std::string> argv = {"ffmpeg",
                                   "-hide_banner",
                                   "-loglevel",
                                   "error",
                                   "-y",
                                   "-f",
                                   "lavfi",
                                   "-i",
                                   "testsrc2=size=" + size + ":rate=30",
                                   "-f",
                                   "lavfi",
                                   "-i",
                                   "sine=frequency=440:sample_rate=48000",
                                   "-t",
                                   duration,
                                   "-c:v",
                                   videoCodec,
                                   "-g",
                                   "30",
                                   "-bf",
                                   "2",
                                   "-pix_fmt",
                                   "yuv420p"};
  if (videoCodec == "libx265") {
    argv.insert(argv.end(), {"-tag:v", "hvc1", "-x265-params", "log-level=error:keyint=30:min-keyint=30"});
  } else {
    argv.insert(argv.end(), {"-preset", "veryfast"});
  }
  argv.insert(argv.end(), {"-c:a", "aac", "-b:a", "96k", path});
  auto r = hub::test::run(argv, {}, 120000);
  EXPECT_EQ(r.exitCode, 0) << r.output;
  if (r.exitCode != 0) return clip;

  AVFormatContext* ctx = nullptr;
  if (avformat_open_input(&ctx, path.c_str(), nullptr, nullptr) < 0 ||
      avformat_find_stream_info(ctx, nullptr) < 0) {
    ADD_FAILURE() << "cannot demux " << path;
    if (ctx) avformat_close_input(&ctx);
    return clip;
  }
  std::map<int, Codec> codecOf;
  for (unsigned i = 0; i < ctx->nb_streams; ++i) {
    const AVCodecParameters* par = ctx->streams[i]->codecpar;
    TrackInfo t;
    if (par->codec_id == AV_CODEC_ID_H264)
      t.codec = Codec::H264;
    else if (par->codec_id == AV_CODEC_ID_HEVC)
      t.codec = Codec::Hevc;
    else if (par->codec_id == AV_CODEC_ID_AAC)
      t.codec = Codec::Aac;
    else
      continue;
    t.codecData.assign(par->extradata, par->extradata + par->extradata_size);
    t.width = par->width;
    t.height = par->height;
    AVRational fr = ctx->streams[i]->avg_frame_rate;
    t.frameRate = fr.den ? av_q2d(fr) : 0;
    t.sampleRate = par->sample_rate;
    t.channels = par->ch_layout.nb_channels;
    t.bitrate = par->bit_rate;
    codecOf[static_cast<int>(i)] = t.codec;
    clip.tracks.push_back(std::move(t));
  }
  AVPacket* pkt = av_packet_alloc();
  auto wall = std::chrono::system_clock::now();
  while (av_read_frame(ctx, pkt) >= 0) {
    auto it = codecOf.find(pkt->stream_index);
    if (it != codecOf.end()) {
      AVRational tb = ctx->streams[pkt->stream_index]->time_base;
      Frame f;
      f.codec = it->second;
      f.dtsUs = av_rescale_q(pkt->dts, tb, AVRational{1, 1000000});
      f.ptsUs = av_rescale_q(pkt->pts, tb, AVRational{1, 1000000});
      if (!isVideo(f.codec)) f.ptsUs = f.dtsUs;
      f.keyFrame = !isVideo(f.codec) || (pkt->flags & AV_PKT_FLAG_KEY);
      auto bytes = std::make_shared<std::vector<std::uint8_t>>(pkt->data, pkt->data + pkt->size);
      f.data = Payload{bytes, 0, bytes->size()};
      f.wallClock = wall + std::chrono::microseconds(f.dtsUs);
      clip.frames.push_back(std::move(f));
    }
    av_packet_unref(pkt);
  }
  av_packet_free(&pkt);
  avformat_close_input(&ctx);
  // mp4 edit lists can leave the first dts negative (B-frames): shift like ingest's timeline
  std::int64_t minDts = 0;
  for (const auto& f : clip.frames) minDts = std::min(minDts, f.dtsUs);
  for (auto& f : clip.frames) {
    f.dtsUs -= minDts;
    f.ptsUs -= minDts;
  }
  return clip;
}

namespace {

Decoded decodeWith(AVCodecID id, const std::vector<std::uint8_t>& extradata,
                   const std::vector<std::span<const std::uint8_t>>& packets) {
  Decoded out;
  const AVCodec* codec = avcodec_find_decoder(id);
  AVCodecContext* ctx = avcodec_alloc_context3(codec);
  if (!extradata.empty()) {
    ctx->extradata = static_cast<std::uint8_t*>(av_mallocz(extradata.size() + AV_INPUT_BUFFER_PADDING_SIZE));
    std::copy(extradata.begin(), extradata.end(), ctx->extradata);
    ctx->extradata_size = static_cast<int>(extradata.size());
  }
  if (avcodec_open2(ctx, codec, nullptr) < 0) {
    out.errors = 1;
    avcodec_free_context(&ctx);
    return out;
  }
  AVPacket* pkt = av_packet_alloc();
  AVFrame* frame = av_frame_alloc();
  auto drain = [&] {
    while (avcodec_receive_frame(ctx, frame) == 0) {
      out.pictures++;
      out.width = frame->width;
      out.height = frame->height;
      av_frame_unref(frame);
    }
  };
  for (const auto& p : packets) {
    av_new_packet(pkt, static_cast<int>(p.size()));
    std::copy(p.begin(), p.end(), pkt->data);
    if (avcodec_send_packet(ctx, pkt) < 0) out.errors++;
    av_packet_unref(pkt);
    drain();
  }
  avcodec_send_packet(ctx, nullptr);
  drain();
  av_frame_free(&frame);
  av_packet_free(&pkt);
  avcodec_free_context(&ctx);
  return out;
}

}  // namespace

Decoded decodeVideo(const TrackInfo& track, const std::vector<Frame>& frames) {
  std::vector<std::span<const std::uint8_t>> packets;
  for (const auto& f : frames) packets.push_back(f.data.view());
  return decodeWith(track.codec == Codec::Hevc ? AV_CODEC_ID_HEVC : AV_CODEC_ID_H264, track.codecData,
                    packets);
}

Decoded decodeJpeg(const std::string& jpeg) {
  std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(jpeg.data()), jpeg.size());
  return decodeWith(AV_CODEC_ID_MJPEG, {}, {bytes});
}

void RecordingSink::tracks(const std::vector<TrackInfo>& tracks) {
  std::lock_guard lock(mu_);
  if (seen_.ends) seen_.outOfOrder = true;
  seen_.tracks.push_back(tracks);
}

void RecordingSink::frame(const Frame& frame) {
  std::lock_guard lock(mu_);
  if (seen_.ends || seen_.tracks.empty()) seen_.outOfOrder = true;
  (isVideo(frame.codec) ? seen_.video : seen_.audio).push_back(frame);
}

void RecordingSink::discontinuity() {
  std::lock_guard lock(mu_);
  seen_.discontinuities++;
}

void RecordingSink::end() {
  std::lock_guard lock(mu_);
  seen_.ends++;
}

RecordingSink::Seen RecordingSink::seen() const {
  std::lock_guard lock(mu_);
  return seen_;
}

FrameSink& Renditions::sinkFor(const hls::RenditionInfo& info) {
  std::lock_guard lock(mu_);
  infos_[info.id] = info;
  auto& sink = sinks_[info.id];
  if (!sink) sink = std::make_unique<RecordingSink>();
  return *sink;
}

std::map<std::string, hls::RenditionInfo> Renditions::infos() const {
  std::lock_guard lock(mu_);
  return infos_;
}

RecordingSink::Seen Renditions::seen(const std::string& id) const {
  std::lock_guard lock(mu_);
  auto it = sinks_.find(id);
  return it == sinks_.end() ? RecordingSink::Seen{} : it->second->seen();
}

}  // namespace hub::media::pipeline::test
