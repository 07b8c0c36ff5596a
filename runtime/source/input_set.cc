#include "runtime/source/input_set.h"

#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <fmt/format.h>
#include <mutex>
#include <thread>

namespace alert {

namespace {
// Batches an input may have waiting: enough to keep evaluation busy while the reader parses
// ahead, few enough that memory stays bounded.
constexpr size_t kQueuedPerInput = 4;
}  // namespace

struct InputSet::Impl {
  struct Input {
    InputSpec spec;
    std::string name;
    std::unique_ptr<RowReader> reader;
    std::vector<RejectedRow> rejects;  // filled by the reader's thread, moved into each batch
    size_t queued = 0;
    bool live = false;
    std::atomic<bool> opening{false};  // a FIFO's open() waits for its writer in the thread
    std::thread thread;
  };

  size_t batch_size = 4096;
  int stop_fd = -1;
  std::vector<std::unique_ptr<Input>> inputs;
  std::mutex mutex;
  std::condition_variable ready, room;
  std::deque<InputBatch> queue;
  std::vector<Batch> spare;
  size_t running = 0;
  bool stopping = false;

  ~Impl() {
    request_stop();
    for (auto& in : inputs) {
      if (in->thread.joinable()) in->thread.join();
    }
    if (stop_fd >= 0) ::close(stop_fd);
  }

  void request_stop() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (stopping) return;
      stopping = true;
    }
    uint64_t one = 1;
    if (stop_fd >= 0) (void)!::write(stop_fd, &one, sizeof one);
    room.notify_all();
    // A reader still waiting in open() for a FIFO's writer: be that writer for a moment.
    for (auto& in : inputs) {
      if (!in->opening) continue;
      int fd = ::open(in->spec.path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
      if (fd >= 0) ::close(fd);
    }
  }

  // A FIFO is opened by its own thread: open() waits for a writer, and that must hold back
  // neither the other inputs nor the run (a stop unblocks it by opening the FIFO to write).
  bool open_deferred(size_t index) {
    Input& in = *inputs[index];
    auto reader = open_reader(in.spec.path, in.spec.schema, in.spec.fields,
                              [raw = &in](const RejectedRow& r) { raw->rejects.push_back(r); }, in.spec.options);
    if (reader.ok()) {
      in.reader = reader.take();
      in.reader->set_stop_at_reject(in.spec.stop_at_reject);
      if (in.spec.resume) in.reader->resume_at(*in.spec.resume);
      in.opening = false;
      return true;
    }
    InputBatch out;
    out.input = index;
    out.error = reader.error();
    out.ended = true;
    out.arrived = std::chrono::steady_clock::now();
    {
      std::lock_guard<std::mutex> lock(mutex);
      in.opening = false;
      --running;
      ++in.queued;
      queue.push_back(std::move(out));
    }
    ready.notify_one();
    return false;
  }

  void read_loop(size_t index) {
    Input& in = *inputs[index];
    if (!in.reader && !open_deferred(index)) return;
    while (true) {
      InputBatch out;
      out.input = index;
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (!spare.empty()) {
          out.batch = std::move(spare.back());
          spare.pop_back();
        }
      }
      auto more = in.reader->next(out.batch, batch_size);
      out.arrived = std::chrono::steady_clock::now();
      out.rejects = std::move(in.rejects);
      in.rejects.clear();
      out.bytes_read = in.reader->bytes_read();
      out.position = in.reader->position();
      if (!more.ok()) {
        out.error = more.error();
        std::string detail = in.reader->read_error();
        if (!detail.empty()) out.error += ": " + detail;
        out.ended = true;
      } else if (!more.value()) {
        out.ended = true;
      }
      bool ended = out.ended;
      {
        std::unique_lock<std::mutex> lock(mutex);
        room.wait(lock, [&] { return in.queued < kQueuedPerInput || stopping; });
        // Once stopping, a file's reader ends after this batch; what was read is still handed on.
        if (stopping && !ended) {
          out.ended = ended = true;
        }
        ++in.queued;
        if (ended) --running;
        queue.push_back(std::move(out));
      }
      ready.notify_one();
      if (ended) return;
    }
  }
};

InputSet::InputSet(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
InputSet::~InputSet() = default;

Result<std::unique_ptr<InputSet>> InputSet::open(std::vector<InputSpec> specs, size_t batch_size) {
  using R = Result<std::unique_ptr<InputSet>>;
  auto impl = std::make_unique<Impl>();
  impl->batch_size = batch_size;
  impl->stop_fd = ::eventfd(0, EFD_CLOEXEC);
  if (impl->stop_fd < 0) return R::failure("cannot create the readers' stop event");
  for (InputSpec& spec : specs) {
    auto in = std::make_unique<Impl::Input>();
    in->spec = std::move(spec);
    in->spec.options.stop_fd = impl->stop_fd;
    in->name = in->spec.path == "-" ? "<stdin>" : in->spec.path;
    struct stat st {};
    if (in->spec.path != "-" && ::stat(in->spec.path.c_str(), &st) == 0 && S_ISFIFO(st.st_mode)) {
      in->live = true;
      in->opening = true;
      impl->inputs.push_back(std::move(in));
      continue;
    }
    Impl::Input* raw = in.get();
    auto reader = open_reader(in->spec.path, in->spec.schema, in->spec.fields,
                              [raw](const RejectedRow& r) { raw->rejects.push_back(r); }, in->spec.options);
    if (!reader.ok()) return R::failure(reader.error());
    in->reader = reader.take();
    in->reader->set_stop_at_reject(in->spec.stop_at_reject);
    if (in->spec.resume) in->reader->resume_at(*in->spec.resume);
    in->live = in->reader->live();
    impl->inputs.push_back(std::move(in));
  }
  impl->running = impl->inputs.size();
  for (size_t i = 0; i < impl->inputs.size(); ++i) {
    impl->inputs[i]->thread = std::thread([p = impl.get(), i] { p->read_loop(i); });
  }
  return std::unique_ptr<InputSet>(new InputSet(std::move(impl)));
}

InputSet::Next InputSet::next(InputBatch* out, std::optional<std::chrono::steady_clock::time_point> until) {
  Impl& m = *impl_;
  std::unique_lock<std::mutex> lock(m.mutex);
  auto has_work = [&] { return !m.queue.empty() || m.running == 0; };
  if (until) {
    if (!m.ready.wait_until(lock, *until, has_work)) return Next::Timeout;
  } else {
    m.ready.wait(lock, has_work);
  }
  if (m.queue.empty()) return Next::Done;
  *out = std::move(m.queue.front());
  m.queue.pop_front();
  --m.inputs[out->input]->queued;
  lock.unlock();
  m.room.notify_all();
  return Next::Batch;
}

void InputSet::recycle(Batch&& batch) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  if (impl_->spare.size() < 2 * kQueuedPerInput) impl_->spare.push_back(std::move(batch));
}

void InputSet::stop() { impl_->request_stop(); }
size_t InputSet::size() const { return impl_->inputs.size(); }
const std::string& InputSet::name(size_t input) const { return impl_->inputs[input]->name; }
bool InputSet::live(size_t input) const { return impl_->inputs[input]->live; }
int InputSet::schema(size_t input) const { return impl_->inputs[input]->spec.schema; }

}  // namespace alert
