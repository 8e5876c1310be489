// media/record/poster_frame.cpp
//
// Decode one key frame, encode one JPEG; see poster_frame.h. The fMP4 pieces are read from
// memory (an init segment and one media segment are small).
#include "media/record/poster_frame.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

#include <cstring>

#include "core/util/handle.h"

namespace hub::media::record {

namespace {

struct MemoryInput {
  std::string bytes;
  std::size_t pos = 0;
};

void closeInput(AVFormatContext* ctx) { avformat_close_input(&ctx); }
void freeIo(AVIOContext* io) {
  av_freep(&io->buffer);
  avio_context_free(&io);
}
void freeCodec(AVCodecContext* c) { avcodec_free_context(&c); }
void freePacket(AVPacket* p) { av_packet_free(&p); }
void freeFrame(AVFrame* f) { av_frame_free(&f); }
using InputPtr = Handle<AVFormatContext, closeInput>;
using IoPtr = Handle<AVIOContext, freeIo>;
using CodecPtr = Handle<AVCodecContext, freeCodec>;
using PacketPtr = Handle<AVPacket, freePacket>;
using FramePtr = Handle<AVFrame, freeFrame>;

Error posterError(const std::string& what, int rc = 0) {
  if (rc == 0) return makeError("record.poster", what);
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(rc, buf, sizeof buf);
  return makeError("record.poster", what + ": " + buf);
}

std::string readAll(const std::string& path) {
  std::string out;
  if (FILE* f = std::fopen(path.c_str(), "rb")) {
    char buf[65536];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
    std::fclose(f);
  }
  return out;
}

Result<FramePtr> decodeFirstFrame(AVFormatContext* in, int streamIndex) {
  const AVCodecParameters* par = in->streams[streamIndex]->codecpar;
  const AVCodec* codec = avcodec_find_decoder(par->codec_id);
  if (!codec) return posterError("no decoder for the video");
  CodecPtr dec(avcodec_alloc_context3(codec));
  if (!dec) return posterError("out of memory");
  if (int rc = avcodec_parameters_to_context(dec.get(), par); rc < 0)
    return posterError("decoder parameters", rc);
  if (int rc = avcodec_open2(dec.get(), codec, nullptr); rc < 0) return posterError("open the decoder", rc);
  PacketPtr pkt(av_packet_alloc());
  FramePtr frame(av_frame_alloc());
  if (!pkt || !frame) return posterError("out of memory");
  bool draining = false;
  for (;;) {
    int rc = avcodec_receive_frame(dec.get(), frame.get());
    if (rc == 0) return frame;
    if (rc != AVERROR(EAGAIN) || draining) return posterError("no picture decoded", rc);
    rc = av_read_frame(in, pkt.get());
    if (rc < 0) {
      draining = true;
      (void)avcodec_send_packet(dec.get(), nullptr);
      continue;
    }
    if (pkt->stream_index == streamIndex) (void)avcodec_send_packet(dec.get(), pkt.get());
    av_packet_unref(pkt.get());
  }
}

Result<std::string> encodeJpeg(const AVFrame* frame) {
  const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
  if (!codec) return posterError("no JPEG encoder");
  CodecPtr enc(avcodec_alloc_context3(codec));
  if (!enc) return posterError("out of memory");
  enc->width = frame->width;
  enc->height = frame->height;
  enc->pix_fmt = static_cast<AVPixelFormat>(frame->format);
  enc->time_base = {1, 25};
  enc->color_range = frame->color_range;
  // H.264 pictures are limited-range 4:2:0; the encoder takes them as an "unofficial" JPEG,
  // which every browser shows.
  enc->strict_std_compliance = FF_COMPLIANCE_UNOFFICIAL;
  enc->flags |= AV_CODEC_FLAG_QSCALE;
  enc->global_quality = FF_QP2LAMBDA * 4;
  if (int rc = avcodec_open2(enc.get(), codec, nullptr); rc < 0)
    return posterError("open the JPEG encoder", rc);
  if (int rc = avcodec_send_frame(enc.get(), frame); rc < 0) return posterError("encode", rc);
  PacketPtr pkt(av_packet_alloc());
  if (!pkt) return posterError("out of memory");
  if (int rc = avcodec_receive_packet(enc.get(), pkt.get()); rc < 0) return posterError("encode", rc);
  return std::string(reinterpret_cast<const char*>(pkt->data), static_cast<std::size_t>(pkt->size));
}

}  // namespace

Result<std::string> posterFrame(const std::string& initPath, const std::string& segmentPath) {
  MemoryInput input{readAll(initPath) + readAll(segmentPath), 0};
  if (input.bytes.empty()) return posterError("no fMP4 data");
  constexpr int kBufferSize = 32 * 1024;
  auto* buffer = static_cast<std::uint8_t*>(av_malloc(kBufferSize));
  if (!buffer) return posterError("out of memory");
  IoPtr io(avio_alloc_context(
      buffer, kBufferSize, 0, &input,
      [](void* opaque, std::uint8_t* buf, int size) {
        auto* in = static_cast<MemoryInput*>(opaque);
        const std::size_t n =
            std::min<std::size_t>(static_cast<std::size_t>(size), in->bytes.size() - in->pos);
        if (n == 0) return AVERROR_EOF;
        std::memcpy(buf, in->bytes.data() + in->pos, n);
        in->pos += n;
        return static_cast<int>(n);
      },
      nullptr,
      [](void* opaque, std::int64_t offset, int whence) -> std::int64_t {
        auto* in = static_cast<MemoryInput*>(opaque);
        whence &= ~AVSEEK_FORCE;
        const auto size = static_cast<std::int64_t>(in->bytes.size());
        if (whence == AVSEEK_SIZE) return size;
        const std::int64_t target = whence == SEEK_SET   ? offset
                                    : whence == SEEK_CUR ? static_cast<std::int64_t>(in->pos) + offset
                                                         : size + offset;
        if (target < 0 || target > size) return AVERROR(EINVAL);
        in->pos = static_cast<std::size_t>(target);
        return target;
      }));
  if (!io) {
    av_free(buffer);
    return posterError("out of memory");
  }
  AVFormatContext* raw = avformat_alloc_context();
  if (!raw) return posterError("out of memory");
  raw->pb = io.get();
  raw->flags |= AVFMT_FLAG_CUSTOM_IO;
  if (int rc = avformat_open_input(&raw, nullptr, av_find_input_format("mp4"), nullptr); rc < 0)
    return posterError("open the fragments", rc);
  InputPtr in(raw);
  if (int rc = avformat_find_stream_info(in.get(), nullptr); rc < 0) return posterError("stream info", rc);
  const int video = av_find_best_stream(in.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (video < 0) return posterError("no video");
  auto frame = decodeFirstFrame(in.get(), video);
  if (!frame) return frame.error();
  return encodeJpeg(frame->get());
}

}  // namespace hub::media::record
