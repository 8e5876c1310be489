// chat/chat_words.cpp
//
// The chat service's sensitive-word filter: the lists of the files named in config ([chat]
// words_block, words_mask) and the lists stored in SQL (core/service/word_lists), built into one
// filter and swapped in atomically; rebuilt at start and on change-feed topic "chat.words".
#include "chat/chat_service.h"

#include <fstream>

#include "core/log/log.h"
#include "core/service/word_lists.h"

namespace hub::chat {
namespace {

const std::shared_ptr<spdlog::logger>& logger() {
  static const auto log = hub::log::get("chat.ws");
  return log;
}

Result<std::vector<std::string>> readWords(const std::string& files) {
  std::vector<std::string> words;
  std::size_t start = 0;
  while (start <= files.size()) {
    auto end = files.find(',', start);
    if (end == std::string::npos) end = files.size();
    std::string path = files.substr(start, end - start);
    while (!path.empty() && path.front() == ' ') path.erase(path.begin());
    while (!path.empty() && path.back() == ' ') path.pop_back();
    start = end + 1;
    if (path.empty()) continue;
    std::ifstream in(path);
    if (!in) return makeError("chat.bad_word_list", "cannot read word list " + path);
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!line.empty() && line.front() != '#') words.push_back(line);
    }
  }
  return words;
}

}  // namespace

Status ChatService::reloadFilter() {
  std::lock_guard lock(filterMu_);
  std::vector<moderation::WordList> lists;
  auto block = readWords(cfg_.wordsBlock);
  if (!block) return block.error();
  auto mask = readWords(cfg_.wordsMask);
  if (!mask) return mask.error();
  if (!block->empty()) lists.push_back({"block", moderation::FilterAction::Block, std::move(*block)});
  if (!mask->empty()) lists.push_back({"mask", moderation::FilterAction::Mask, std::move(*mask)});
  auto stored = service::loadWordLists(context_->db);
  if (!stored) return stored.error();
  for (auto& l : *stored) {
    const auto action = l.kind == "block" ? moderation::FilterAction::Block : moderation::FilterAction::Mask;
    lists.push_back({l.name, action, std::move(l.words)});
  }
  std::size_t words = 0;
  for (const auto& l : lists) words += l.words.size();
  if (words == 0) {
    filter_.store(nullptr);
    return {};
  }
  auto f = moderation::WordFilter::build(lists);
  if (!f) return f.error();
  filter_.store(std::make_shared<const moderation::WordFilter>(std::move(*f)));
  logger()->info("word filter rebuilt: {} lists, {} words", lists.size(), words);
  return {};
}

}  // namespace hub::chat
