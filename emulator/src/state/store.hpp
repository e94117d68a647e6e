#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "dbk/result.hpp"

namespace dbk::emulator {

class Journal;

/// The durable metadata store: JSON documents grouped by `kind` ("job", "run",
/// "workspace_object", ...) and keyed by a string, plus named counters for ids.
///
/// Durability contract: when put/erase/next_id/transaction return success, the change is
/// in the write-ahead journal and fsync'ed, so it survives kill -9 (docs/emulator.md).
/// Reads never touch the disk. Thread-safe: reads take a shared lock, writes and
/// transactions are serialised; the fsync is not: concurrent commits share one
/// (group commit), so a reader may see a change a moment before its writer is told
/// it is durable, never the other way round.
class Store {
 public:
  using Document = nlohmann::json;
  using Entries = std::vector<std::pair<std::string, Document>>;

  /// A set of changes applied atomically and durably by Store::transaction. Reads see the
  /// store as modified by this transaction so far.
  class Transaction {
   public:
    std::optional<Document> get(std::string_view kind, std::string_view key) const;
    /// Every document of `kind`, in key order (see Store::list).
    Entries list(std::string_view kind) const;
    void put(std::string_view kind, std::string_view key, Document value);
    void erase(std::string_view kind, std::string_view key);
    /// Next value of `counter` (1, 2, 3, ... per counter), committed with the transaction.
    std::int64_t next_id(std::string_view counter);

   private:
    friend class Store;
    explicit Transaction(const Store& store) : store_(store) {}
    const Store& store_;
    nlohmann::json ops_ = nlohmann::json::array();
    std::map<std::string, std::map<std::string, std::optional<Document>>> pending_;
    std::map<std::string, std::int64_t> counters_;
  };

  /// Opens (creating if needed) the store in `dir`: loads snapshot.json, replays
  /// journal.jsonl over it (a torn last line from a crash is ignored), then compacts
  /// (when it can: a full disk does not stop the store from opening).
  /// A document nested deeper than dbk::kMaxJsonDepth (only an older emulator could have
  /// stored one) is dropped with a message on stderr instead of crashing every later read.
  /// An empty `dir` gives a memory-only store (nothing written).
  static Result<std::unique_ptr<Store>> open(const std::filesystem::path& dir);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  std::optional<Document> get(std::string_view kind, std::string_view key) const;
  /// Every document of `kind` in key order. Keys compare as numbers when both are
  /// decimal integers ("2" < "10"), so int64 ids list in id order.
  Entries list(std::string_view kind) const;
  Status put(std::string_view kind, std::string_view key, Document value);
  /// Erasing a missing key is a success.
  Status erase(std::string_view kind, std::string_view key);
  Result<std::int64_t> next_id(std::string_view counter);

  /// Runs `fn` with exclusive access to the store; when it returns success every change
  /// it made is journaled (one fsync'ed record) and applied, otherwise nothing is.
  /// `fn` must not call other Store methods (it would deadlock); use the Transaction.
  Status transaction(const std::function<Status(Transaction&)>& fn);

  /// A commit written and applied but maybe not yet durable (see transaction_deferred).
  using Ticket = std::uint64_t;
  /// transaction() without the wait for the fsync: the caller calls wait_durable()
  /// before acknowledging, after releasing its own locks, so that callers serialised by
  /// a lock of their own still share fsyncs.
  Result<Ticket> transaction_deferred(const std::function<Status(Transaction&)>& fn);
  /// Returns once the commit of `ticket` (and every earlier one) is fsync'ed.
  Status wait_durable(Ticket ticket);

  /// Removes every document and counter (admin reset), durably.
  Status clear();

  /// Journal records written since the last compaction (for tests and docs).
  std::size_t journal_records() const;

 private:
  struct KeyLess {
    bool operator()(const std::string& a, const std::string& b) const;
  };
  using Table = std::map<std::string, Document, KeyLess>;

  Store() = default;
  void apply(const nlohmann::json& ops);
  Status commit(const nlohmann::json& ops);  ///< write + apply + fsync; write lock held
  /// Journal write + apply, without the fsync; write lock held. Sets `ticket`.
  Status commit_deferred(const nlohmann::json& ops, Ticket& ticket);
  Status compact();  ///< snapshot + truncate journal; write lock held
  /// Replaces the documents and counters with what the state folder holds (snapshot, then
  /// journal); `dropped` counts over-deep documents left out. Write lock held.
  Status load(std::size_t& dropped);
  /// wait_durable(ticket); `holding_lock` = the caller holds the write lock.
  Status wait_durable(Ticket ticket, bool holding_lock);
  /// After a failed fsync: cuts the records not known to be durable off the journal and
  /// rebuilds the state without them; each of their commits fails (docs/emulator.md).
  Status recover_from_failed_sync(Ticket ticket, bool holding_lock,
                                  const std::optional<ApiError>& failure);

  mutable std::shared_mutex mutex_;
  std::map<std::string, Table, std::less<>> tables_;
  std::map<std::string, std::int64_t, std::less<>> counters_;
  std::filesystem::path dir_;  ///< empty = memory only
  std::unique_ptr<Journal> journal_;
  std::size_t journal_records_ = 0;
  std::mutex sync_mutex_;                     ///< one fsync at a time; taken without mutex_
  Ticket written_ = 0;                        ///< last journal record written (under mutex_)
  Ticket synced_ = 0;                         ///< last record known durable (under sync_mutex_)
  std::atomic<Ticket> written_published_{0};  ///< written_, readable without mutex_
  bool sync_failed_ = false;  ///< an fsync failed, recovery pending (under sync_mutex_)
  Ticket lost_ = 0;           ///< records in (synced_, lost_] were cut off after a failed fsync
};

}  // namespace dbk::emulator
