// tests/support/hevc_publisher.h
//
// A tiny RTMP publisher of our own for HEVC: ffmpeg 5.1 and GStreamer 1.22 cannot put HEVC
// into FLV, so tests publish an HEVC elementary stream (Annex B, as `ffmpeg -c:v libx265 -f hevc`
// writes it, without B-frames) over Enhanced RTMP: FourCC hvc1, SequenceStart with an hvcC
// built from the VPS/SPS/PPS, then CodedFramesX with 4-byte NAL lengths. It speaks the client
// side of the handshake and connect / createStream / publish like OBS does.
#pragma once

#include <string>

#include "core/util/result.h"

namespace hub::test {

struct HevcPublishOptions {
  std::string host = "127.0.0.1";
  int port = 1935;
  std::string app = "live";
  std::string key;
  double fps = 25;
  bool realtime = true;  // pace frames at `fps`, as a live encoder does
};

// Publishes every access unit of the file, then unpublishes. Errors: "test.io" (socket, file),
// "test.refused" (the server's onStatus was not NetStream.Publish.Start; the message has its code),
// "test.hevc" (no VPS/SPS/PPS in the file).
Status publishHevcFile(const std::string& annexBPath, const HevcPublishOptions& options);

}  // namespace hub::test
