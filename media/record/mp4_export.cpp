// media/record/mp4_export.cpp
//
// libavformat remux of fMP4 fragments into a faststart MP4; see mp4_export.h.
#include "media/record/mp4_export.h"

extern "C" {
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
}

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <mutex>

#include "core/util/handle.h"

namespace hub::media::record {

namespace {

// Files read back to back as one byte stream, seekable (the mov demuxer likes to look around).
class ConcatReader {
 public:
  explicit ConcatReader(std::vector<std::string> paths) : paths_(std::move(paths)) {
    std::int64_t offset = 0;
    for (const auto& p : paths_) {
      std::error_code ec;
      const auto size = static_cast<std::int64_t>(std::filesystem::file_size(p, ec));
      starts_.push_back(offset);
      offset += ec ? 0 : size;
    }
    total_ = offset;
  }

  int read(std::uint8_t* buf, int size) {
    int done = 0;
    while (done < size && pos_ < total_) {
      std::size_t i = fileAt(pos_);
      if (i != open_) {
        file_ = std::ifstream(paths_[i], std::ios::binary);
        open_ = i;
      }
      file_.seekg(pos_ - starts_[i]);
      const std::int64_t end = i + 1 < starts_.size() ? starts_[i + 1] : total_;
      const auto want = static_cast<std::streamsize>(std::min<std::int64_t>(size - done, end - pos_));
      file_.read(reinterpret_cast<char*>(buf + done), want);
      const auto got = file_.gcount();
      if (got <= 0) return done > 0 ? done : AVERROR(EIO);
      file_.clear();
      done += static_cast<int>(got);
      pos_ += got;
    }
    return done > 0 ? done : AVERROR_EOF;
  }

  std::int64_t seek(std::int64_t offset, int whence) {
    whence &= ~AVSEEK_FORCE;
    if (whence == AVSEEK_SIZE) return total_;
    std::int64_t target = whence == SEEK_SET ? offset : whence == SEEK_CUR ? pos_ + offset : total_ + offset;
    if (target < 0 || target > total_) return AVERROR(EINVAL);
    pos_ = target;
    return pos_;
  }

 private:
  std::size_t fileAt(std::int64_t pos) const {
    std::size_t i = 0;
    while (i + 1 < starts_.size() && starts_[i + 1] <= pos) ++i;
    return i;
  }

  std::vector<std::string> paths_;
  std::vector<std::int64_t> starts_;
  std::int64_t total_ = 0;
  std::int64_t pos_ = 0;
  std::ifstream file_;
  std::size_t open_ = std::numeric_limits<std::size_t>::max();
};

void closeInput(AVFormatContext* ctx) { avformat_close_input(&ctx); }
void freeOutput(AVFormatContext* ctx) {
  if (ctx->pb && !(ctx->oformat->flags & AVFMT_NOFILE)) avio_closep(&ctx->pb);
  avformat_free_context(ctx);
}
void freeIo(AVIOContext* io) {
  av_freep(&io->buffer);
  avio_context_free(&io);
}
void freePacket(AVPacket* p) { av_packet_free(&p); }
using InputPtr = Handle<AVFormatContext, closeInput>;
using OutputPtr = Handle<AVFormatContext, freeOutput>;
using IoPtr = Handle<AVIOContext, freeIo>;
using PacketPtr = Handle<AVPacket, freePacket>;

Error avError(const std::string& what, int rc) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(rc, buf, sizeof buf);
  return makeError("record.export", what + ": " + buf);
}

}  // namespace

Result<Mp4ExportResult> exportMp4(const std::string& renditionDir, const std::vector<JournalEntry>& entries,
                                  const std::string& outPath) {
  // libavformat's notes ("DTS out of order" at a reconnect we fix below, "second pass" for
  // faststart) are noise on the hub's stderr; real failures come back as errors.
  static std::once_flag quiet;
  std::call_once(quiet, [] {
    if (av_log_get_level() == AV_LOG_INFO) av_log_set_level(AV_LOG_ERROR);
  });
  Mp4ExportResult result;
  if (entries.empty()) return makeError("record.export", "no segments in " + renditionDir);
  std::vector<std::string> paths{renditionDir + "/" + entries.front().initFile};
  for (const auto& e : entries) {
    if (e.initFile != entries.front().initFile) {
      result.segmentsLeftOut++;
      continue;
    }
    if (!e.gap) paths.push_back(renditionDir + "/" + e.file);
  }
  ConcatReader reader(std::move(paths));

  constexpr int kBufferSize = 64 * 1024;
  auto* buffer = static_cast<std::uint8_t*>(av_malloc(kBufferSize));
  if (!buffer) return makeError("record.export", "out of memory");
  IoPtr io(avio_alloc_context(
      buffer, kBufferSize, 0, &reader,
      [](void* opaque, std::uint8_t* buf, int size) {
        return static_cast<ConcatReader*>(opaque)->read(buf, size);
      },
      nullptr,
      [](void* opaque, std::int64_t offset, int whence) {
        return static_cast<ConcatReader*>(opaque)->seek(offset, whence);
      }));
  if (!io) {
    av_free(buffer);
    return makeError("record.export", "out of memory");
  }

  AVFormatContext* rawIn = avformat_alloc_context();
  if (!rawIn) return makeError("record.export", "out of memory");
  rawIn->pb = io.get();
  rawIn->flags |= AVFMT_FLAG_CUSTOM_IO;
  if (int rc = avformat_open_input(&rawIn, nullptr, av_find_input_format("mp4"), nullptr); rc < 0)
    return avError("open the fragments", rc);  // avformat_open_input freed rawIn
  InputPtr in(rawIn);
  if (int rc = avformat_find_stream_info(in.get(), nullptr); rc < 0) return avError("read stream info", rc);

  const std::string partPath = outPath + ".part";
  AVFormatContext* rawOut = nullptr;
  if (int rc = avformat_alloc_output_context2(&rawOut, nullptr, "mp4", partPath.c_str()); rc < 0)
    return avError("make the MP4 muxer", rc);
  OutputPtr out(rawOut);
  for (unsigned i = 0; i < in->nb_streams; ++i) {
    AVStream* s = avformat_new_stream(out.get(), nullptr);
    if (!s) return makeError("record.export", "out of memory");
    if (int rc = avcodec_parameters_copy(s->codecpar, in->streams[i]->codecpar); rc < 0)
      return avError("copy codec parameters", rc);
    s->codecpar->codec_tag = 0;
    s->time_base = in->streams[i]->time_base;
  }
  if (int rc = avio_open(&out->pb, partPath.c_str(), AVIO_FLAG_WRITE); rc < 0)
    return avError("open " + partPath, rc);
  AVDictionary* opts = nullptr;
  av_dict_set(&opts, "movflags", "+faststart", 0);
  const int headerRc = avformat_write_header(out.get(), &opts);
  av_dict_free(&opts);
  if (headerRc < 0) return avError("write the MP4 header", headerRc);

  // Per input stream: the shift that keeps timestamps rising across a publisher reconnect.
  std::vector<std::int64_t> shift(in->nb_streams, 0), lastDts(in->nb_streams, AV_NOPTS_VALUE),
      lastDuration(in->nb_streams, 0);
  PacketPtr pkt(av_packet_alloc());
  if (!pkt) return makeError("record.export", "out of memory");
  for (;;) {
    int rc = av_read_frame(in.get(), pkt.get());
    if (rc == AVERROR_EOF) break;
    if (rc < 0) return avError("read a packet", rc);
    const auto i = static_cast<std::size_t>(pkt->stream_index);
    if (pkt->dts != AV_NOPTS_VALUE) {
      if (lastDts[i] != AV_NOPTS_VALUE && pkt->dts + shift[i] <= lastDts[i])
        shift[i] = lastDts[i] + std::max<std::int64_t>(lastDuration[i], 1) - pkt->dts;
      pkt->dts += shift[i];
      if (pkt->pts != AV_NOPTS_VALUE) pkt->pts += shift[i];
      lastDts[i] = pkt->dts;
      lastDuration[i] = pkt->duration;
    }
    av_packet_rescale_ts(pkt.get(), in->streams[i]->time_base, out->streams[i]->time_base);
    pkt->pos = -1;
    result.packets++;
    if (rc = av_interleaved_write_frame(out.get(), pkt.get()); rc < 0) return avError("write a packet", rc);
  }
  if (int rc = av_write_trailer(out.get()); rc < 0) return avError("write the MP4 trailer", rc);
  avio_closep(&out->pb);
  std::error_code ec;
  std::filesystem::rename(partPath, outPath, ec);
  if (ec) return makeError("record.export", "rename " + partPath + ": " + ec.message());
  result.bytes = static_cast<std::int64_t>(std::filesystem::file_size(outPath, ec));
  return result;
}

}  // namespace hub::media::record
