// media/pipeline/av_handles.h
//
// One owner for each libavcodec object the pipeline code holds (their free functions take a
// pointer to the pointer), and libav error codes as text.
#pragma once

extern "C" {
#include <libavcodec/avcodec.h>
}

#include <array>
#include <memory>
#include <string>

namespace hub::media::pipeline {

struct CodecContextFree {
  void operator()(AVCodecContext* c) const { avcodec_free_context(&c); }
};
struct FrameFree {
  void operator()(AVFrame* f) const { av_frame_free(&f); }
};
struct PacketFree {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
using CodecContextPtr = std::unique_ptr<AVCodecContext, CodecContextFree>;
using FramePtr = std::unique_ptr<AVFrame, FrameFree>;
using PacketPtr = std::unique_ptr<AVPacket, PacketFree>;

inline std::string avError(int code) {
  std::array<char, AV_ERROR_MAX_STRING_SIZE> buf{};
  av_strerror(code, buf.data(), buf.size());
  return buf.data();
}

}  // namespace hub::media::pipeline
