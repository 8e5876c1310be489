// media/pipeline/gst_handles.cpp
//
// GStreamer initialisation and the small helpers of gst_handles.h.
#include "media/pipeline/gst_handles.h"

#include <mutex>

namespace hub::media::pipeline {

void ensureGstInit() {
  static std::once_flag once;
  std::call_once(once, [] { gst_init(nullptr, nullptr); });
}

GstElementPtr makeElement(const char* factory, const char* name) {
  GstElement* e = gst_element_factory_make(factory, name);
  return GstElementPtr(e ? GST_ELEMENT(gst_object_ref_sink(e)) : nullptr);
}

std::string messageText(GstMessage* message) {
  GError* err = nullptr;
  gchar* debug = nullptr;
  if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR)
    gst_message_parse_error(message, &err, &debug);
  else if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_WARNING)
    gst_message_parse_warning(message, &err, &debug);
  std::string out = GST_MESSAGE_SRC_NAME(message) ? GST_MESSAGE_SRC_NAME(message) : "pipeline";
  out += ": ";
  out += err ? err->message : "unknown error";
  if (debug) {
    out += " (";
    out += debug;
    out += ")";
  }
  if (err) g_error_free(err);
  g_free(debug);
  return out;
}

}  // namespace hub::media::pipeline
