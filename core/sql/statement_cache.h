// core/sql/statement_cache.h
//
// Internal: the prepared statements of one connection, keyed by SQL text, least recently used
// dropped first. Bounded because servers cap prepared statements (MySQL's
// max_prepared_stmt_count is global) and ad-hoc SQL would otherwise pile up.
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace hub::sql {

template <class Stmt>  // Stmt: an owning pointer type, e.g. std::unique_ptr<...>
class StatementCache {
 public:
  explicit StatementCache(std::size_t capacity) : capacity_(capacity ? capacity : 1) {}

  // The cached statement, moved to the front, or nullptr.
  typename Stmt::pointer find(std::string_view sql) {
    auto it = index_.find(std::string(sql));
    if (it == index_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second);
    return it->second->second.get();
  }

  typename Stmt::pointer put(std::string_view sql, Stmt stmt) {
    while (order_.size() >= capacity_) {
      index_.erase(order_.back().first);
      order_.pop_back();
    }
    order_.emplace_front(std::string(sql), std::move(stmt));
    index_[order_.front().first] = order_.begin();
    return order_.front().second.get();
  }

  void erase(std::string_view sql) {
    auto it = index_.find(std::string(sql));
    if (it == index_.end()) return;
    order_.erase(it->second);
    index_.erase(it);
  }

  void clear() {
    index_.clear();
    order_.clear();
  }

 private:
  using Entry = std::pair<std::string, Stmt>;
  std::size_t capacity_;
  std::list<Entry> order_;  // front: most recently used
  std::unordered_map<std::string, typename std::list<Entry>::iterator> index_;
};

}  // namespace hub::sql
