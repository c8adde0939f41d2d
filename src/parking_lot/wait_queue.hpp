// SPDX-License-Identifier: BSL-1.0
// wait_queue: the waiters of one bucket, as one FIFO queue per address.
//
// Each address's waiters form a circular doubly linked ring in arrival order; the oldest waiter
// is the ring's head and also links the rings of a bucket together (next_queue / prev_queue).
// Enqueue, dequeue of the head and removal of any waiter (a timeout) are O(1) once the address's
// head is found; finding it walks only the distinct addresses that share the bucket, which the
// hash keeps to about one. The idea of keeping per-address queues inside a hashed bucket is Zig's
// user-space futex; the ring that lets a waiter leave without knowing its head is our own.
//
// All members require the bucket's lock.
#pragma once

namespace futon {
inline namespace v0 {
namespace detail {

// Waiter: a waiter_node<Platform> (waiter.hpp).
template <class Waiter>
class wait_queue {
 public:
  // The oldest waiter on `key`, or nullptr.
  Waiter* head_of(const void* key) const noexcept {
    for (Waiter* head = first_queue_; head != nullptr; head = head->next_queue) {
      if (head->current_key() == key) return head;
    }
    return nullptr;
  }

  bool has_waiters(const void* key) const noexcept { return head_of(key) != nullptr; }
  bool empty() const noexcept { return first_queue_ == nullptr; }

  // Appends `w` (whose key is set) to its address's queue.
  void push_back(Waiter* w) noexcept {
    w->queued = true;
    Waiter* head = head_of(w->current_key());
    if (head == nullptr) {
      w->next = w;
      w->prev = w;
      w->is_head = true;
      w->prev_queue = nullptr;
      w->next_queue = first_queue_;
      if (first_queue_ != nullptr) first_queue_->prev_queue = w;
      first_queue_ = w;
      return;
    }
    Waiter* tail = head->prev;
    w->is_head = false;
    w->prev = tail;
    w->next = head;
    tail->next = w;
    head->prev = w;
  }

  // Takes `w` out of its queue, wherever it stands.
  void remove(Waiter* w) noexcept {
    w->queued = false;
    if (w->next == w) {  // alone: its address's queue disappears
      unlink_queue(w);
      return;
    }
    w->prev->next = w->next;
    w->next->prev = w->prev;
    if (w->is_head) replace_head(w, w->next);
  }

  // Takes out and returns the oldest waiter on `key`, or nullptr.
  Waiter* pop_front(const void* key) noexcept {
    Waiter* head = head_of(key);
    if (head != nullptr) remove(head);
    return head;
  }

 private:
  void unlink_queue(Waiter* head) noexcept {
    if (head->prev_queue != nullptr) {
      head->prev_queue->next_queue = head->next_queue;
    } else {
      first_queue_ = head->next_queue;
    }
    if (head->next_queue != nullptr) head->next_queue->prev_queue = head->prev_queue;
    head->is_head = false;
  }

  void replace_head(Waiter* old_head, Waiter* new_head) noexcept {
    new_head->is_head = true;
    new_head->prev_queue = old_head->prev_queue;
    new_head->next_queue = old_head->next_queue;
    if (new_head->prev_queue != nullptr) {
      new_head->prev_queue->next_queue = new_head;
    } else {
      first_queue_ = new_head;
    }
    if (new_head->next_queue != nullptr) new_head->next_queue->prev_queue = new_head;
    old_head->is_head = false;
  }

  Waiter* first_queue_ = nullptr;
};

}  // namespace detail
}  // namespace v0
}  // namespace futon
