// media/pipeline/key_frame_jpeg.cpp
//
// Key frame -> JPEG (see key_frame_jpeg.h). The decoder is opened once per codec data and
// reset (drain + flush) after each key frame; the downscale is a plain area average per plane,
// which is all a 320-pixel thumbnail needs and touches each source sample once.
#include "media/pipeline/key_frame_jpeg.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/pixdesc.h>
}

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "media/pipeline/av_handles.h"

namespace hub::media::pipeline {
namespace {

Error thumbnailError(std::string message) { return makeError("pipeline.thumbnail", std::move(message)); }

// Limited-range (16..235 / 16..240) samples stretched to full range, as JPEG wants them.
std::array<std::uint8_t, 256> rangeTable(bool fullRange, bool chroma) {
  std::array<std::uint8_t, 256> t{};
  for (int v = 0; v < 256; ++v) {
    int out = v;
    if (!fullRange) out = chroma ? 128 + ((v - 128) * 255 + 112) / 224 : ((v - 16) * 255 + 109) / 219;
    t[static_cast<std::size_t>(v)] = static_cast<std::uint8_t>(std::clamp(out, 0, 255));
  }
  return t;
}

// Area average of a sw x sh plane of samples of type T (`shift` drops bits above 8) into a
// dw x dh 8-bit plane, through `table`.
template <class T>
void downscalePlane(const std::uint8_t* src, int srcStride, int sw, int sh, int shift,
                    const std::array<std::uint8_t, 256>& table, std::uint8_t* dst, int dstStride, int dw,
                    int dh) {
  std::vector<int> xs(static_cast<std::size_t>(dw) + 1);
  for (int i = 0; i <= dw; ++i) xs[static_cast<std::size_t>(i)] = static_cast<int>(std::int64_t{i} * sw / dw);
  for (int j = 0; j < dh; ++j) {
    int y0 = static_cast<int>(std::int64_t{j} * sh / dh);
    int y1 = std::max(y0 + 1, static_cast<int>(std::int64_t{j + 1} * sh / dh));
    std::uint8_t* out = dst + static_cast<std::ptrdiff_t>(j) * dstStride;
    for (int i = 0; i < dw; ++i) {
      int x0 = xs[static_cast<std::size_t>(i)];
      int x1 = std::max(x0 + 1, xs[static_cast<std::size_t>(i) + 1]);
      std::uint64_t sum = 0;
      for (int y = y0; y < y1; ++y) {
        const T* row = reinterpret_cast<const T*>(src + static_cast<std::ptrdiff_t>(y) * srcStride);
        for (int x = x0; x < x1; ++x) sum += row[x];
      }
      auto count = static_cast<std::uint64_t>(y1 - y0) * static_cast<std::uint64_t>(x1 - x0);
      auto v = static_cast<unsigned>((sum + count / 2) / count) >> shift;
      out[i] = table[std::min(v, 255u)];
    }
  }
}

bool isFullRangeFormat(int format) {
  return format == AV_PIX_FMT_YUVJ420P || format == AV_PIX_FMT_YUVJ422P || format == AV_PIX_FMT_YUVJ444P;
}

}  // namespace

class KeyFrameJpeg::Impl {
 public:
  Impl() : packet_(av_packet_alloc()), picture_(av_frame_alloc()), scaled_(av_frame_alloc()) {}

  Result<std::string> encode(const TrackInfo& track, const Frame& frame, int width) {
    if (!packet_ || !picture_ || !scaled_) return thumbnailError("out of memory");
    if (auto st = openDecoder(track); !st) return st.error();
    if (auto st = decode(frame); !st) return st.error();
    int sw = picture_->width, sh = picture_->height;
    if (sw <= 0 || sh <= 0) return thumbnailError("the key frame decoded to an empty picture");
    int dw = std::max(2, width / 2 * 2);
    int dh = std::max(2, static_cast<int>(std::int64_t{sh} * dw / sw) / 2 * 2);
    if (auto st = openEncoder(dw, dh); !st) return st.error();
    if (auto st = downscale(); !st) return st.error();
    return compress();
  }

  int decoderOpens() const { return opens_; }

 private:
  Status openDecoder(const TrackInfo& track) {
    if (decoder_ && track.codec == codec_ && track.codecData == codecData_) return {};
    decoder_.reset();
    const AVCodec* codec =
        avcodec_find_decoder(track.codec == Codec::Hevc ? AV_CODEC_ID_HEVC : AV_CODEC_ID_H264);
    if (!codec)
      return makeError("pipeline.missing_codec",
                       std::string("no libavcodec decoder for ") + codecName(track.codec));
    CodecContextPtr ctx(avcodec_alloc_context3(codec));
    if (!ctx) return thumbnailError("out of memory");
    if (!track.codecData.empty()) {
      ctx->extradata =
          static_cast<std::uint8_t*>(av_mallocz(track.codecData.size() + AV_INPUT_BUFFER_PADDING_SIZE));
      if (!ctx->extradata) return thumbnailError("out of memory");
      std::copy(track.codecData.begin(), track.codecData.end(), ctx->extradata);
      ctx->extradata_size = static_cast<int>(track.codecData.size());
    }
    // One thread: a thumbnail every few seconds is not worth a thread pool per stream.
    ctx->thread_count = 1;
    ctx->thread_type = 0;
    if (int rc = avcodec_open2(ctx.get(), codec, nullptr); rc < 0)
      return thumbnailError("cannot open the " + std::string(codecName(track.codec)) +
                            " decoder: " + avError(rc));
    decoder_ = std::move(ctx);
    codec_ = track.codec;
    codecData_ = track.codecData;
    opens_++;
    return {};
  }

  // Sends the key frame, drains the decoder (B-frame reordering would otherwise hold the
  // picture back) and flushes it so it takes the next key frame afresh.
  Status decode(const Frame& frame) {
    auto span = frame.data.view();
    bytes_.assign(span.begin(), span.end());
    bytes_.resize(span.size() + AV_INPUT_BUFFER_PADDING_SIZE, 0);
    av_packet_unref(packet_.get());
    packet_->data = bytes_.data();
    packet_->size = static_cast<int>(span.size());
    packet_->pts = frame.ptsUs;
    packet_->dts = frame.dtsUs;
    packet_->flags = AV_PKT_FLAG_KEY;
    av_frame_unref(picture_.get());
    int sent = avcodec_send_packet(decoder_.get(), packet_.get());
    packet_->data = nullptr;
    packet_->size = 0;
    bool got = false;
    if (sent >= 0 && avcodec_send_packet(decoder_.get(), nullptr) >= 0) {
      FramePtr extra(av_frame_alloc());
      while (extra) {
        AVFrame* into = got ? extra.get() : picture_.get();
        if (avcodec_receive_frame(decoder_.get(), into) < 0) break;
        if (got) av_frame_unref(extra.get());
        got = true;
      }
    }
    avcodec_flush_buffers(decoder_.get());
    if (sent < 0) return thumbnailError("the key frame did not decode: " + avError(sent));
    if (!got) return thumbnailError("the key frame decoded to nothing");
    return {};
  }

  Status openEncoder(int width, int height) {
    if (encoder_ && encoder_->width == width && encoder_->height == height) return {};
    encoder_.reset();
    const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
    if (!codec) return makeError("pipeline.missing_codec", "no libavcodec MJPEG encoder");
    CodecContextPtr ctx(avcodec_alloc_context3(codec));
    if (!ctx) return thumbnailError("out of memory");
    ctx->width = width;
    ctx->height = height;
    ctx->pix_fmt = AV_PIX_FMT_YUVJ420P;
    ctx->color_range = AVCOL_RANGE_JPEG;
    ctx->time_base = AVRational{1, 25};
    ctx->flags |= AV_CODEC_FLAG_QSCALE;
    ctx->global_quality = FF_QP2LAMBDA * 4;
    ctx->thread_count = 1;
    if (int rc = avcodec_open2(ctx.get(), codec, nullptr); rc < 0)
      return thumbnailError("cannot open the MJPEG encoder: " + avError(rc));
    encoder_ = std::move(ctx);
    av_frame_unref(scaled_.get());
    scaled_->format = AV_PIX_FMT_YUVJ420P;
    scaled_->width = width;
    scaled_->height = height;
    if (int rc = av_frame_get_buffer(scaled_.get(), 0); rc < 0) {
      encoder_.reset();
      return thumbnailError("cannot allocate the thumbnail picture: " + avError(rc));
    }
    return {};
  }

  Status downscale() {
    const AVPixFmtDescriptor* desc = av_pix_fmt_desc_get(static_cast<AVPixelFormat>(picture_->format));
    const auto unsupported = AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL | AV_PIX_FMT_FLAG_BE |
                             AV_PIX_FMT_FLAG_BITSTREAM | AV_PIX_FMT_FLAG_HWACCEL;
    if (!desc || (desc->flags & unsupported) || desc->nb_components < 3 || desc->comp[0].depth > 16 ||
        desc->comp[0].plane != 0 || desc->comp[1].plane != 1 || desc->comp[2].plane != 2)
      return thumbnailError(std::string("unsupported decoded pixel format ") + (desc ? desc->name : "?"));
    if (int rc = av_frame_make_writable(scaled_.get()); rc < 0)
      return thumbnailError("cannot write the thumbnail picture: " + avError(rc));
    bool full = picture_->color_range == AVCOL_RANGE_JPEG || isFullRangeFormat(picture_->format);
    int depth = desc->comp[0].depth;
    int shift = std::max(0, depth - 8);
    for (int p = 0; p < 3; ++p) {
      bool chroma = p > 0;
      int sw = picture_->width, sh = picture_->height;
      int dw = scaled_->width, dh = scaled_->height;
      if (chroma) {
        sw = -((-sw) >> desc->log2_chroma_w);
        sh = -((-sh) >> desc->log2_chroma_h);
        dw /= 2;
        dh /= 2;
      }
      const auto& table = chroma ? (full ? fullChroma_ : limitedChroma_) : (full ? fullLuma_ : limitedLuma_);
      if (depth > 8)
        downscalePlane<std::uint16_t>(picture_->data[p], picture_->linesize[p], sw, sh, shift, table,
                                      scaled_->data[p], scaled_->linesize[p], dw, dh);
      else
        downscalePlane<std::uint8_t>(picture_->data[p], picture_->linesize[p], sw, sh, 0, table,
                                     scaled_->data[p], scaled_->linesize[p], dw, dh);
    }
    av_frame_unref(picture_.get());
    return {};
  }

  Result<std::string> compress() {
    scaled_->pts = pts_++;
    scaled_->quality = encoder_->global_quality;
    if (int rc = avcodec_send_frame(encoder_.get(), scaled_.get()); rc < 0)
      return thumbnailError("the JPEG encoder refused the picture: " + avError(rc));
    av_packet_unref(packet_.get());
    if (int rc = avcodec_receive_packet(encoder_.get(), packet_.get()); rc < 0)
      return thumbnailError("the JPEG encoder gave nothing: " + avError(rc));
    std::string out(reinterpret_cast<const char*>(packet_->data), static_cast<std::size_t>(packet_->size));
    av_packet_unref(packet_.get());
    return out;
  }

  CodecContextPtr decoder_, encoder_;
  Codec codec_ = Codec::H264;
  std::vector<std::uint8_t> codecData_;
  int opens_ = 0;
  PacketPtr packet_;
  FramePtr picture_, scaled_;
  std::vector<std::uint8_t> bytes_;
  std::int64_t pts_ = 0;
  const std::array<std::uint8_t, 256> fullLuma_ = rangeTable(true, false),
                                      fullChroma_ = rangeTable(true, true),
                                      limitedLuma_ = rangeTable(false, false),
                                      limitedChroma_ = rangeTable(false, true);
};

KeyFrameJpeg::KeyFrameJpeg() : impl_(std::make_unique<Impl>()) {}
KeyFrameJpeg::~KeyFrameJpeg() = default;
Result<std::string> KeyFrameJpeg::encode(const TrackInfo& track, const Frame& frame, int width) {
  return impl_->encode(track, frame, width);
}
int KeyFrameJpeg::decoderOpens() const { return impl_->decoderOpens(); }

}  // namespace hub::media::pipeline
