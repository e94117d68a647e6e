#include "transfer/parallel.hpp"

#include <algorithm>
#include <thread>
#include <vector>

namespace dbk::detail {

void run_parallel(std::size_t count, unsigned parallelism,
                  const std::function<bool(std::size_t)>& task, const CallContext& context) {
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  auto worker = [&] {
    while (!stop.load() && !context.is_cancelled()) {
      const std::size_t index = next.fetch_add(1);
      if (index >= count) return;
      if (!task(index)) stop.store(true);
    }
  };
  const std::size_t threads = std::min<std::size_t>(std::max(1u, parallelism), count);
  if (threads <= 1) {
    worker();
    return;
  }
  std::vector<std::thread> pool;
  pool.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) pool.emplace_back(worker);
  for (auto& thread : pool) thread.join();
}

}  // namespace dbk::detail
