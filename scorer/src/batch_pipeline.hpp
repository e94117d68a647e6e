#pragma once

// An ordered, bounded pipeline of batches: the calling thread produces tasks, `threads` workers
// turn each into a result, and one writer thread hands the results to a sink in the order the
// tasks were produced. At most `window` batches are between production and the sink at any
// time, so memory is bounded by the window whatever the number of batches. The first error
// (from the producer, a worker or the sink) stops every thread and is returned; batches after
// it are never handed to the sink.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "dbk/result.hpp"

namespace dbk::scorer::detail {

struct PipelineLimits {
  unsigned threads = 1;    ///< workers (at least 1)
  std::size_t window = 2;  ///< batches in flight (at least 1)
};

template <class Task, class Out>
Status run_ordered_pipeline(const std::function<Result<std::optional<Task>>()>& next,
                            const std::function<Result<Out>(Task&)>& work,
                            const std::function<Status(Out&)>& sink, PipelineLimits limits) {
  const unsigned threads = limits.threads == 0 ? 1 : limits.threads;
  const std::size_t window = limits.window == 0 ? 1 : limits.window;
  std::mutex mu;
  std::condition_variable changed;
  std::deque<std::pair<std::size_t, Task>> tasks;
  std::map<std::size_t, Out> done;
  std::size_t produced = 0;  // tasks made
  std::size_t consumed = 0;  // results handed to the sink
  bool finished = false;     // no more tasks
  std::optional<ApiError> failure;
  auto fail = [&](ApiError error) {
    std::lock_guard<std::mutex> lock(mu);
    if (!failure) failure = std::move(error);
    changed.notify_all();
  };

  std::vector<std::thread> workers;
  for (unsigned t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (;;) {
        std::pair<std::size_t, Task> task;
        {
          std::unique_lock<std::mutex> lock(mu);
          changed.wait(lock, [&] { return failure || !tasks.empty() || finished; });
          if (failure || tasks.empty()) return;
          task = std::move(tasks.front());
          tasks.pop_front();
        }
        auto out = work(task.second);
        if (!out) {
          fail(std::move(out).error());
          return;
        }
        std::lock_guard<std::mutex> lock(mu);
        done.emplace(task.first, std::move(*out));
        changed.notify_all();
      }
    });
  }
  std::thread writer([&] {
    for (;;) {
      Out out;
      {
        std::unique_lock<std::mutex> lock(mu);
        changed.wait(lock, [&] {
          return failure || done.count(consumed) != 0 || (finished && consumed == produced);
        });
        if (failure || done.count(consumed) == 0) return;
        auto it = done.find(consumed);
        out = std::move(it->second);
        done.erase(it);
      }
      auto st = sink(out);
      if (!st) {
        fail(std::move(st).error());
        return;
      }
      std::lock_guard<std::mutex> lock(mu);
      ++consumed;
      changed.notify_all();
    }
  });

  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu);
      changed.wait(lock, [&] { return failure || produced - consumed < window; });
      if (failure) break;
    }
    auto task = next();
    if (!task) {
      fail(std::move(task).error());
      break;
    }
    std::lock_guard<std::mutex> lock(mu);
    if (!*task) break;
    tasks.emplace_back(produced++, std::move(**task));
    changed.notify_all();
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    finished = true;
    changed.notify_all();
  }
  for (auto& w : workers) w.join();
  writer.join();
  if (failure) return *failure;
  return {};
}

}  // namespace dbk::scorer::detail
