// media/pipeline/gst_handles.h
//
// One owner for every GStreamer reference the pipeline code holds, plus the few helpers every
// pipeline here needs: making elements (sinking their floating reference), initialising
// GStreamer once per process, and turning a bus error message into an Error.
#pragma once

#include <gst/gst.h>

#include <string>

#include "core/util/handle.h"
#include "core/util/result.h"

namespace hub::media::pipeline {

// GStreamer 1.22 declares gst_caps_unref and friends `static inline`; a template argument with
// internal linkage in a header trips -Wsubobject-linkage, so each gets a plain inline wrapper.
inline void unrefObject(gpointer p) { gst_object_unref(p); }
inline void unrefCaps(GstCaps* p) { gst_caps_unref(p); }
inline void unrefBuffer(GstBuffer* p) { gst_buffer_unref(p); }
inline void unrefSample(GstSample* p) { gst_sample_unref(p); }
inline void unrefMessage(GstMessage* p) { gst_message_unref(p); }

using GstElementPtr = Handle<GstElement, unrefObject>;
using GstPadPtr = Handle<GstPad, unrefObject>;
using GstBusPtr = Handle<GstBus, unrefObject>;
using GstCapsPtr = Handle<GstCaps, unrefCaps>;
using GstBufferPtr = Handle<GstBuffer, unrefBuffer>;
using GstSamplePtr = Handle<GstSample, unrefSample>;
using GstMessagePtr = Handle<GstMessage, unrefMessage>;

// gst_init once per process (thread-safe); later calls are free.
void ensureGstInit();

// A new element comes with a floating reference: sink it before a unique owner takes it.
// Null when the factory is not installed.
GstElementPtr makeElement(const char* factory, const char* name = nullptr);

// The text of an ERROR message ("avdec_h264: Could not decode stream."), with its debug detail.
std::string messageText(GstMessage* message);

}  // namespace hub::media::pipeline
