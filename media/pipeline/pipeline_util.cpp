// media/pipeline/pipeline_util.cpp
//
// Caps, sizes and codecs strings for the ladder and the thumbnailer.
#include "media/pipeline/pipeline_util.h"

#include <cmath>
#include <cstdio>

namespace hub::media::pipeline {

GstCaps* videoCaps(const TrackInfo& video) {
  bool hevc = video.codec == Codec::Hevc;
  GstCaps* caps = gst_caps_new_simple(hevc ? "video/x-h265" : "video/x-h264", "stream-format", G_TYPE_STRING,
                                      hevc ? "hvc1" : "avc", "alignment", G_TYPE_STRING, "au", nullptr);
  GstBuffer* data = gst_buffer_new_memdup(video.codecData.data(), video.codecData.size());
  gst_caps_set_simple(caps, "codec_data", GST_TYPE_BUFFER, data, nullptr);
  gst_buffer_unref(data);
  if (video.width > 0 && video.height > 0)
    gst_caps_set_simple(caps, "width", G_TYPE_INT, video.width, "height", G_TYPE_INT, video.height, nullptr);
  if (video.frameRate > 0) {
    int num = 0, den = 1;
    gst_util_double_to_fraction(video.frameRate, &num, &den);
    gst_caps_set_simple(caps, "framerate", GST_TYPE_FRACTION, num, den, nullptr);
  }
  return caps;
}

int evenWidth(int width, int height, int toHeight) {
  if (width <= 0 || height <= 0) return toHeight * 16 / 9 / 2 * 2;
  int w = static_cast<int>(std::lround(static_cast<double>(width) * toHeight / height / 2.0)) * 2;
  return w < 2 ? 2 : w;
}

std::vector<std::uint8_t> capsCodecData(const GstCaps* caps) {
  if (!caps || gst_caps_get_size(caps) == 0) return {};
  const GValue* v = gst_structure_get_value(gst_caps_get_structure(caps, 0), "codec_data");
  if (!v || !GST_VALUE_HOLDS_BUFFER(v)) return {};
  GstBuffer* buf = gst_value_get_buffer(v);
  std::vector<std::uint8_t> out(gst_buffer_get_size(buf));
  gst_buffer_extract(buf, 0, out.data(), out.size());
  return out;
}

std::string avcCodecsString(const std::vector<std::uint8_t>& avcC) {
  if (avcC.size() < 4) return "avc1.42e01e";
  char text[16];
  std::snprintf(text, sizeof text, "avc1.%02x%02x%02x", avcC[1], avcC[2], avcC[3]);
  return text;
}

std::string aacCodecsString(const std::vector<std::uint8_t>& asc) {
  int objectType = asc.empty() ? 2 : asc[0] >> 3;
  if (objectType == 0 || objectType == 31) objectType = 2;
  return "mp4a.40." + std::to_string(objectType);
}

}  // namespace hub::media::pipeline
