/* Internal layout of tensors, shared by the files of the tensor module. */
#ifndef TETRA_SRC_TENSOR_IMPL_H
#define TETRA_SRC_TENSOR_IMPL_H

#include "tetra/tensor.h"

/* Heap data shared by a tensor and its views. */
typedef struct tensor_buffer {
  void *data;
  const tetra_allocator *allocator;
  uint32_t refs;
  uint8_t owns_data; /* 0 for tetra_tensor_wrap */
} tensor_buffer;

struct tetra_tensor {
  tetra_dtype dtype;
  uint32_t rank;
  int64_t shape[TETRA_MAX_RANK];
  int64_t strides[TETRA_MAX_RANK]; /* elements */
  char *base;                      /* the buffer's first byte */
  int64_t offset;                  /* elements from base to element [0, 0, ...] */
  tensor_buffer *buffer;           /* NULL for arena tensors (and views made in an arena) */
  const tetra_allocator *allocator; /* of this header; NULL when the header is in an arena */
};

/* Fresh contiguous tensor (uninitialised data unless zero). */
tetra_status tensor_new(const tetra_tensor_ctx *ctx, tetra_dtype dtype, size_t rank,
                        const int64_t *shape, int zero, tetra_tensor **out, tetra_error *err,
                        const char *op);
/* A header that shares src's data, with src's shape and strides (the caller edits them). */
tetra_status tensor_view(const tetra_tensor_ctx *ctx, const tetra_tensor *src, tetra_tensor **out,
                         tetra_error *err, const char *op);
void tensor_set_contiguous_strides(tetra_tensor *t);
/* Scratch memory for one operation: from the arena (then never freed) or the allocator. */
void *tensor_scratch(const tetra_tensor_ctx *ctx, size_t bytes);
void tensor_scratch_free(const tetra_tensor_ctx *ctx, void *p);

static inline float *tensor_f32(const tetra_tensor *t) { return (float *)t->base + t->offset; }

/* The tensor itself if it is contiguous float32, else a contiguous float32 copy in *tmp (which the
 * caller frees with tetra_tensor_free; NULL when no copy was made). */
tetra_status tensor_as_f32(const tetra_tensor_ctx *ctx, const tetra_tensor *t, const tetra_tensor **out,
                           tetra_tensor **tmp, tetra_error *err, const char *op);

/* Normalises a possibly negative axis; error message names op and the tensor's shape. */
tetra_status tensor_axis(const tetra_tensor *t, int64_t axis, size_t *out, tetra_error *err,
                         const char *op);
/* Broadcast shape of two shapes, NumPy rules; the error names both shapes. */
tetra_status tensor_broadcast(const tetra_tensor *a, const tetra_tensor *b, size_t *rank,
                              int64_t *shape, tetra_error *err, const char *op);
/* Strides of t seen with shape (rank, shape) under broadcasting: 0 on broadcast axes. */
void tensor_broadcast_strides(const tetra_tensor *t, size_t rank, const int64_t *shape,
                              int64_t *strides);
/* Copies a strided f32 view (rank, shape, strides from src) into contiguous dst. */
void tensor_gather_f32(size_t rank, const int64_t *shape, const float *src, const int64_t *strides,
                       float *dst);
void shape_string(size_t rank, const int64_t *shape, char *buf, size_t size);

#endif
