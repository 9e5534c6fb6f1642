#include "CProtobufCSupport.h"

#include <stdlib.h>
#include <string.h>

#define RM_ALIGN 16u
#define RM_DEFAULT_FIRST_BLOCK (16u * 1024u)
/* A single allocation larger than this is refused: frames are capped far below it. */
#define RM_MAX_ALLOCATION ((size_t)1 << 31)

typedef struct RMBlock {
    struct RMBlock *next;
    size_t capacity;
    size_t used;
    /* data follows, aligned to RM_ALIGN */
} RMBlock;

struct RMArena {
    RMBlock *head;   /* the block allocations currently come from */
    RMBlock *first;  /* kept across resets */
    size_t bytes_used;
    int cached;      /* owned by the thread cache */
    int in_use;      /* handed out by rm_arena_acquire */
    ProtobufCAllocator allocator;
};

static size_t rm_header_size(void) {
    return (sizeof(RMBlock) + (RM_ALIGN - 1)) & ~(size_t)(RM_ALIGN - 1);
}

static unsigned char *rm_block_data(RMBlock *block) {
    return (unsigned char *)block + rm_header_size();
}

static RMBlock *rm_block_new(size_t capacity) {
    RMBlock *block = malloc(rm_header_size() + capacity);
    if (block == NULL) return NULL;
    block->next = NULL;
    block->capacity = capacity;
    block->used = 0;
    return block;
}

static void *rm_allocator_alloc(void *data, size_t size) {
    return rm_arena_alloc((RMArena *)data, size);
}

static void rm_allocator_free(void *data, void *pointer) {
    (void)data;
    (void)pointer;
}

RMArena *rm_arena_create(size_t first_block_bytes) {
    if (first_block_bytes == 0) first_block_bytes = RM_DEFAULT_FIRST_BLOCK;
    RMArena *arena = calloc(1, sizeof(RMArena));
    if (arena == NULL) return NULL;
    arena->first = rm_block_new(first_block_bytes);
    if (arena->first == NULL) {
        free(arena);
        return NULL;
    }
    arena->head = arena->first;
    arena->allocator.alloc = rm_allocator_alloc;
    arena->allocator.free = rm_allocator_free;
    arena->allocator.allocator_data = arena;
    return arena;
}

void rm_arena_destroy(RMArena *arena) {
    if (arena == NULL) return;
    rm_arena_reset(arena);
    free(arena->first);
    free(arena);
}

void *rm_arena_alloc(RMArena *arena, size_t size) {
    if (size > RM_MAX_ALLOCATION) return NULL;
    size_t rounded = (size + (RM_ALIGN - 1)) & ~(size_t)(RM_ALIGN - 1);
    if (rounded == 0) rounded = RM_ALIGN;
    RMBlock *block = arena->head;
    if (block->capacity - block->used < rounded) {
        /* Grow geometrically, but give an oversized request a block of its own size. */
        size_t capacity = block->capacity * 2;
        if (capacity < rounded) capacity = rounded;
        RMBlock *fresh = rm_block_new(capacity);
        if (fresh == NULL) return NULL;
        fresh->next = block;
        arena->head = fresh;
        block = fresh;
    }
    void *pointer = rm_block_data(block) + block->used;
    block->used += rounded;
    arena->bytes_used += rounded;
    return pointer;
}

void rm_arena_reset(RMArena *arena) {
    RMBlock *block = arena->head;
    while (block != arena->first) {
        RMBlock *next = block->next;
        free(block);
        block = next;
    }
    arena->first->used = 0;
    arena->first->next = NULL;
    arena->head = arena->first;
    arena->bytes_used = 0;
}

ProtobufCAllocator *rm_arena_allocator(RMArena *arena) {
    return &arena->allocator;
}

size_t rm_arena_bytes_used(const RMArena *arena) {
    return arena->bytes_used;
}

size_t rm_arena_block_count(const RMArena *arena) {
    size_t count = 0;
    for (const RMBlock *block = arena->head; block != NULL; block = block->next) count++;
    return count;
}

/* One cached arena per thread: the common case (one codec call at a time on a thread) then
 * allocates nothing at all. A nested acquire on the same thread gets a fresh arena. */
static _Thread_local RMArena *rm_thread_arena = NULL;

/* Frees the thread's cached arena when the thread exits. */
#include <pthread.h>
static pthread_key_t rm_thread_key;
static pthread_once_t rm_thread_key_once = PTHREAD_ONCE_INIT;

static void rm_thread_arena_destructor(void *value) {
    RMArena *arena = value;
    if (arena != NULL && !arena->in_use) {
        arena->cached = 0;
        rm_arena_destroy(arena);
    } else if (arena != NULL) {
        arena->cached = 0; /* released later by its user, then destroyed */
    }
}

static void rm_thread_key_create(void) {
    (void)pthread_key_create(&rm_thread_key, rm_thread_arena_destructor);
}

RMArena *rm_arena_acquire(void) {
    RMArena *arena = rm_thread_arena;
    if (arena != NULL && !arena->in_use) {
        arena->in_use = 1;
        return arena;
    }
    arena = rm_arena_create(0);
    if (arena == NULL) return NULL;
    if (rm_thread_arena == NULL) {
        pthread_once(&rm_thread_key_once, rm_thread_key_create);
        if (pthread_setspecific(rm_thread_key, arena) == 0) {
            arena->cached = 1;
            rm_thread_arena = arena;
        }
    }
    arena->in_use = 1;
    return arena;
}

void rm_arena_release(RMArena *arena) {
    if (arena == NULL) return;
    arena->in_use = 0;
    if (arena->cached) {
        rm_arena_reset(arena);
    } else {
        rm_arena_destroy(arena);
    }
}
