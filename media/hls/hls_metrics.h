// media/hls/hls_metrics.h
//
// The packager's Prometheus metrics, made once by the LiveRegistry and shared by reference.
#pragma once

#include "core/metrics/registry.h"

namespace hub::media::hls {

struct HlsMetrics {
  explicit HlsMetrics(metrics::Registry& r)
      : parts(r.counter("hub_hls_parts_total", "LL-HLS parts cut")),
        segments(r.counter("hub_hls_segments_total", "HLS segments completed")),
        requests(r.counter("hub_hls_requests_total", "LL-HLS playlist and media requests")),
        badRequests(r.counter("hub_hls_bad_requests_total", "LL-HLS requests answered 400")),
        blockTimeouts(
            r.counter("hub_hls_block_timeouts_total", "parked LL-HLS requests that timed out (503)")),
        parked(r.gauge("hub_hls_parked_requests", "blocking reload and preload hint requests held now")),
        droppedFrames(r.counter("hub_hls_dropped_frames_total", "frames the packager could not place")),
        gapSegments(r.counter("hub_hls_gap_segments_total",
                              "EXT-X-GAP segments listed for spans a rendition has no media for")),
        partReady(r.histogram("hub_hls_part_ready_seconds",
                              "from ingest of a part's last frame to the part being listed",
                              metrics::latencyBuckets())) {}
  metrics::Counter& parts;
  metrics::Counter& segments;
  metrics::Counter& requests;
  metrics::Counter& badRequests;
  metrics::Counter& blockTimeouts;
  metrics::Gauge& parked;
  metrics::Counter& droppedFrames;
  metrics::Counter& gapSegments;
  metrics::Histogram& partReady;
};

}  // namespace hub::media::hls
