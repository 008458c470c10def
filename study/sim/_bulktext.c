/* study.sim._bulktext: the text of a large SQS backlog's trace, a poll round at a time (study/sim/group_trace.py).
 *
 * The same bytes as group_trace.PyRender, whose methods these are (tests/test_sim_group_trace.py compares them):
 * the templates' pieces come from the trace's own encoder, this file only puts the varying fields between them.
 * The ids are SHA-256 digests and the bodies' checksums MD5 digests: OpenSSL's one-shot functions from the libcrypto
 * Python's hashlib already loaded (hardware SHA where the CPU has it), or the portable C below where it is not.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <dlfcn.h>
#include <math.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
#include <stdint.h>
#include <string.h>

/* -- digests ------------------------------------------------------------------------------------------------- */

/* OpenSSL's low-level calls (its one-shot SHA256() looks the algorithm up on every call in OpenSSL 3). The contexts
   are opaque here: 112 bytes for SHA-256, 92 for MD5, given room to spare. */
typedef int (*init_fn)(void *);
typedef int (*update_fn)(void *, const void *, size_t);
typedef int (*final_fn)(unsigned char *, void *);
typedef struct { init_fn init; update_fn update; final_fn final; } Lib;
static Lib ossl_sha = {0}, ossl_md = {0};
typedef union { unsigned char bytes[512]; long double align; } Ctx;

static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_block(uint32_t *h, const unsigned char *p) {
    uint32_t w[64], a, b, c, d, e, f, g, k, t1, t2;
    int i;
    for (i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (i = 16; i < 64; i++) {
        uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    a = h[0]; b = h[1]; c = h[2]; d = h[3]; e = h[4]; f = h[5]; g = h[6]; k = h[7];
    for (i = 0; i < 64; i++) {
        t1 = k + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K256[i] + w[i];
        t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        k = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += k;
}

/* MD5's constants are the integer parts of 2^32 |sin(i + 1)| (RFC 1321), made once when the module loads. */
static uint32_t KMD5[64];

static void md5_constants(void) {
    for (int i = 0; i < 64; i++) KMD5[i] = (uint32_t)(fabs(sin((double)(i + 1))) * 4294967296.0);
}

static const int SMD5[64] = {7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                             5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
                             4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                             6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};

static void md5_block(uint32_t *h, const unsigned char *p) {
    uint32_t m[16], a = h[0], b = h[1], c = h[2], d = h[3], f, t;
    int i, g;
    for (i = 0; i < 16; i++)
        m[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 | (uint32_t)p[4 * i + 2] << 16 |
               (uint32_t)p[4 * i + 3] << 24;
    for (i = 0; i < 64; i++) {
        if (i < 16) { f = (b & c) | (~b & d); g = i; }
        else if (i < 32) { f = (d & b) | (~d & c); g = (5 * i + 1) & 15; }
        else if (i < 48) { f = b ^ c ^ d; g = (3 * i + 5) & 15; }
        else { f = c ^ (b | ~d); g = (7 * i) & 15; }
        t = d; d = c; c = b;
        f = f + a + KMD5[i] + m[g];
        b = b + ((f << SMD5[i]) | (f >> (32 - SMD5[i])));
        a = t;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d;
}

/* Merkle-Damgard, as SHA-256 and MD5 share it: the blocks, then 0x80, zeros and the length in bits (big-endian for
   SHA-256, little-endian for MD5), then the state's words in that byte order. */
typedef void (*block_fn)(uint32_t *h, const unsigned char *p);

static void md_digest(block_fn block, uint32_t *h, int words, int big_endian, const unsigned char *data, size_t n,
                      unsigned char *out) {
    unsigned char tail[128];
    size_t i, full = n / 64 * 64, rest = n - full, pad;
    uint64_t bits = (uint64_t)n * 8;
    for (i = 0; i < full; i += 64) block(h, data + i);
    memset(tail, 0, sizeof tail);
    memcpy(tail, data + full, rest);
    tail[rest] = 0x80;
    pad = rest < 56 ? 64 : 128;
    for (i = 0; i < 8; i++) tail[big_endian ? pad - 1 - i : pad - 8 + i] = (unsigned char)(bits >> (8 * i));
    block(h, tail);
    if (pad == 128) block(h, tail + 64);
    for (i = 0; i < (size_t)words; i++)
        for (int k = 0; k < 4; k++) out[4 * i + k] = (unsigned char)(h[i] >> (big_endian ? 24 - 8 * k : 8 * k));
}

static void sha256_portable(const unsigned char *data, size_t n, unsigned char out[32]) {
    uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    md_digest(sha256_block, h, 8, 1, data, n, out);
}

static void md5_portable(const unsigned char *data, size_t n, unsigned char out[16]) {
    uint32_t h[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
    md_digest(md5_block, h, 4, 0, data, n, out);
}

static void lib_digest(const Lib *lib, const unsigned char *d, size_t n, unsigned char *out) {
    Ctx ctx;
    lib->init(&ctx);
    lib->update(&ctx, d, n);
    lib->final(out, &ctx);
}

static void sha256(const unsigned char *d, size_t n, unsigned char out[32]) {
    if (ossl_sha.init) lib_digest(&ossl_sha, d, n, out); else sha256_portable(d, n, out);
}

static void md5(const unsigned char *d, size_t n, unsigned char out[16]) {
    if (ossl_md.init) lib_digest(&ossl_md, d, n, out); else md5_portable(d, n, out);
}

static const char HEX[] = "0123456789abcdef";

static void hexify(const unsigned char *d, int n, char *out) {
    for (int i = 0; i < n; i++) { out[2 * i] = HEX[d[i] >> 4]; out[2 * i + 1] = HEX[d[i] & 15]; }
}

/* ids.uuid_text: the first 16 bytes as a version-4 UUID's text (36 characters). */
static void uuid_text(const unsigned char *d, char *out) {
    char x[32];
    hexify(d, 16, x);
    memcpy(out, x, 8); out[8] = '-';
    memcpy(out + 9, x + 8, 4); out[13] = '-';
    out[14] = '4'; memcpy(out + 15, x + 13, 3); out[18] = '-';
    out[19] = "89ab"[(strchr(HEX, x[16]) - HEX) & 3]; memcpy(out + 20, x + 17, 3); out[23] = '-';
    memcpy(out + 24, x + 20, 12);
}

/* -- text buffers -------------------------------------------------------------------------------------------- */

typedef struct { char *p; size_t n, cap; } Buf;

static int grow(Buf *b, size_t more) {
    if (b->n + more <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 1 << 16;
    while (cap < b->n + more) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) return -1;
    b->p = p; b->cap = cap;
    return 0;
}

/* Appending: on a failed allocation `goto nomem` (the caller raises MemoryError). */
#define PUT(b, s, len) do { size_t _l = (len); if (grow((b), _l)) goto nomem; memcpy((b)->p + (b)->n, (s), _l); \
                            (b)->n += _l; } while (0)
#define PUTS(b, t) PUT(b, (t).s, (t).n)
#define PUTC(b, c) do { if (grow((b), 1)) goto nomem; (b)->p[(b)->n++] = (c); } while (0)

static int num_text(long long v, char *out) { /* v >= 0 */
    char tmp[24];
    int n = 0, i;
    do { tmp[n++] = '0' + (char)(v % 10); v /= 10; } while (v);
    for (i = 0; i < n; i++) out[i] = tmp[n - 1 - i];
    return n;
}

typedef struct { const char *s; Py_ssize_t n; } Text;

/* -- output: each section of the trace is a sink (a file descriptor), written by a thread of its own -------------
   A sink's buffer, once past FLUSH_AT, goes to the writer's queue and the sink takes a spare buffer, so the text of
   the next rounds is made while the last ones are written. At most QUEUE buffers wait (then the maker waits).
   (Two writers with pwrite were no faster: ext4 takes the file's lock for each buffered write.) */

#define SINKS 4
#define FLUSH_AT (1 << 20)
#define QUEUE 8

typedef struct { int fd; Buf b; } Job;

typedef struct {
    int fd, any;
    Buf b;
    char *first, *sep; /* written before the first element, between two */
    size_t first_n, sep_n;
} Sink;

typedef struct {
    pthread_t thread;
    int started, stop, error; /* error: the errno of a failed write */
    pthread_mutex_t lock;
    pthread_cond_t wake, done;
    Job jobs[QUEUE];
    int head, count, busy;
    Buf spare[QUEUE + 2];
    int nspare;
} Writer;

static int write_all(int fd, const char *p, size_t n) {
    size_t done = 0;
    while (done < n) {
        ssize_t k = write(fd, p + done, n - done);
        if (k < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        done += (size_t)k;
    }
    return 0;
}

static void *writer_main(void *arg) {
    Writer *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (!w->count && !w->stop) pthread_cond_wait(&w->wake, &w->lock);
        if (!w->count) break; /* stopped */
        Job job = w->jobs[w->head];
        w->head = (w->head + 1) % QUEUE;
        w->count--;
        w->busy = 1;
        int failed = w->error;
        pthread_mutex_unlock(&w->lock);
        if (!failed) failed = write_all(job.fd, job.b.p, job.b.n);
        pthread_mutex_lock(&w->lock);
        if (failed && !w->error) w->error = failed;
        job.b.n = 0;
        if (w->nspare < QUEUE + 2) w->spare[w->nspare++] = job.b; else free(job.b.p);
        w->busy = 0;
        pthread_cond_broadcast(&w->done);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/* Hand a buffer of text for `fd` to the writer (starting it the first time); *b becomes a spare buffer. */
static int enqueue(Writer *w, int fd, Buf *b) {
    if (!b->n) return 0;
    if (!w->started) {
        if (pthread_create(&w->thread, NULL, writer_main, w)) { errno = EAGAIN; return -1; }
        w->started = 1;
    }
    Py_BEGIN_ALLOW_THREADS
    pthread_mutex_lock(&w->lock);
    while (w->count == QUEUE) pthread_cond_wait(&w->done, &w->lock);
    w->jobs[(w->head + w->count) % QUEUE] = (Job){fd, *b};
    w->count++;
    if (w->nspare) *b = w->spare[--w->nspare]; else *b = (Buf){0};
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    Py_END_ALLOW_THREADS
    return 0;
}

static int sink_send(Writer *w, Sink *s) { return enqueue(w, s->fd, &s->b); }

/* Wait until everything handed over is written; -1 with errno where a write failed. */
static int writer_drain(Writer *w) {
    int err;
    Py_BEGIN_ALLOW_THREADS
    pthread_mutex_lock(&w->lock);
    while (w->count || w->busy) pthread_cond_wait(&w->done, &w->lock);
    err = w->error;
    w->error = 0;
    pthread_mutex_unlock(&w->lock);
    Py_END_ALLOW_THREADS
    if (err) { errno = err; return -1; }
    return 0;
}

/* -- the renderer -------------------------------------------------------------------------------------------- */

typedef struct {
    Text prefix, prefix_json, body_json, body_md5, sent;
    int body_is_id;
} Seg;

enum { T_ARRIVE = 0, T_BATCH = T_ARRIVE + 3, T_ENV0 = T_BATCH + 3, T_ENV1 = T_ENV0 + 4, T_START = T_ENV1 + 4,
       T_END = T_START + 6, T_DELETE = T_END + 4, T_LOG = T_DELETE + 3, T_INV = T_LOG + 4, T_REC = T_INV + 10,
       T_LIST_NL = T_REC + 8, T_EV_HEAD, T_EV_SEP, T_EV_TAIL, T_SEED, T_COUNT };

enum { S_INVOCATIONS, S_INPUTS, S_LOGS, S_TIMELINE };

typedef struct { Seg *seg; char num[24]; int nl; } Msg;

/* Scratch: a run's id list, its request id's text, a record's digest input, the run's messages. */
typedef struct { Buf lst, key, rec; Msg *msgs; size_t nmsgs; } Scratch;

enum { E_NOMEM = 1, E_SHORT = 2 };

static void raise_code(int e) {
    if (e == E_NOMEM) PyErr_NoMemory();
    else PyErr_SetString(PyExc_ValueError, "fewer messages than runs");
}

typedef struct {
    PyObject_HEAD
    PyObject *keep; /* the tuple of str the Texts point into */
    Text t[T_COUNT];
    Text item_nl;  /* ",\n" + list indent + "  " */
    char *item_nl_mem;
    Seg *segs;
    Py_ssize_t nsegs;
    PyObject *seg_keep;
    Sink sinks[SINKS];
    Writer w;
    Scratch sc;
    Text *strm;
    long long *inst;
    size_t nruns;
} Render;

typedef struct { int seg; long long lo, hi; } Piece;

/* The messages of one call: (segment, number) in send order, from [(segment, lo, hi)]. */
typedef struct {
    Piece *p;
    Py_ssize_t n, i;
    long long num;
    char d[24]; /* the decimal text of `dv` (the number last given), carried on by one for the next */
    int dl;
    long long dv;
} Cursor;

static void decimal_next(char *d, int *len) {
    int i = *len - 1;
    while (i >= 0 && d[i] == '9') d[i--] = '0';
    if (i >= 0) {
        d[i]++;
    } else {
        memmove(d + 1, d, *len);
        d[0] = '1';
        (*len)++;
    }
}

static int cursor_init(Render *r, Cursor *c, PyObject *pieces) {
    PyObject *seq = PySequence_Fast(pieces, "pieces must be a list");
    if (!seq) return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    c->p = PyMem_Malloc(sizeof(Piece) * (n ? n : 1));
    c->n = n; c->i = 0;
    if (!c->p) { Py_DECREF(seq); PyErr_NoMemory(); return -1; }
    for (Py_ssize_t i = 0; i < n; i++) {
        int seg; long long lo, hi;
        if (!PyArg_ParseTuple(PySequence_Fast_GET_ITEM(seq, i), "iLL", &seg, &lo, &hi)) goto bad;
        if (seg < 0 || seg >= r->nsegs || lo < 0 || hi < lo) {
            PyErr_SetString(PyExc_ValueError, "bad piece");
            goto bad;
        }
        c->p[i].seg = seg; c->p[i].lo = lo; c->p[i].hi = hi;
    }
    Py_DECREF(seq);
    c->num = n ? c->p[0].lo : 0;
    c->dv = -1;
    return 0;
bad:
    Py_DECREF(seq);
    PyMem_Free(c->p);
    c->p = NULL;
    return -1;
}

/* The next message: its segment and number (prefix + number is its id); 0 at the end. */
static int cursor_next(Render *r, Cursor *c, Seg **seg, char *num, int *numlen) {
    while (c->i < c->n && c->num >= c->p[c->i].hi) {
        c->i++;
        if (c->i < c->n) c->num = c->p[c->i].lo;
    }
    if (c->i >= c->n) return 0;
    *seg = &r->segs[c->p[c->i].seg];
    long long v = ++c->num; /* ids count from 1: message `num` (from 0) is prefix + (num + 1) */
    if (c->dv >= 0 && c->dv == v - 1) decimal_next(c->d, &c->dl); else c->dl = num_text(v, c->d);
    c->dv = v;
    memcpy(num, c->d, c->dl);
    *numlen = c->dl;
    return 1;
}

static int text_of(PyObject *o, Text *t) {
    if (!PyUnicode_Check(o)) { PyErr_SetString(PyExc_TypeError, "a str was expected"); return -1; }
    t->s = PyUnicode_AsUTF8AndSize(o, &t->n);
    return t->s ? 0 : -1;
}

static void writer_stop(Writer *w) {
    if (!w->started) return;
    pthread_mutex_lock(&w->lock);
    w->stop = 1;
    pthread_cond_broadcast(&w->wake);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    w->started = 0;
}

static void Render_dealloc(Render *self) {
    Py_BEGIN_ALLOW_THREADS
    writer_stop(&self->w);
    Py_END_ALLOW_THREADS
    for (int i = 0; i < self->w.nspare; i++) free(self->w.spare[i].p);
    pthread_mutex_destroy(&self->w.lock);
    pthread_cond_destroy(&self->w.wake);
    pthread_cond_destroy(&self->w.done);
    for (int i = 0; i < SINKS; i++) {
        free(self->sinks[i].b.p); free(self->sinks[i].first); free(self->sinks[i].sep);
    }
    free(self->sc.lst.p); free(self->sc.key.p); free(self->sc.rec.p); free(self->sc.msgs);
    free(self->strm); free(self->inst);
    Py_XDECREF(self->keep);
    Py_XDECREF(self->seg_keep);
    PyMem_Free(self->segs);
    PyMem_Free(self->item_nl_mem);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *Render_new(PyTypeObject *type, PyObject *args, PyObject *kw) {
    Render *self = (Render *)type->tp_alloc(type, 0);
    if (!self) return NULL;
    for (int i = 0; i < SINKS; i++) self->sinks[i].fd = -1;
    pthread_mutex_init(&self->w.lock, NULL);
    pthread_cond_init(&self->w.wake, NULL);
    pthread_cond_init(&self->w.done, NULL);
    return (PyObject *)self;
}

/* Render(texts: tuple of T_COUNT str in the enum's order, segments: list of 6-tuples) */
static int Render_init(Render *self, PyObject *args, PyObject *kw) {
    PyObject *texts, *segs;
    if (self->keep) { PyErr_SetString(PyExc_RuntimeError, "a Render is made once"); return -1; }
    if (!PyArg_ParseTuple(args, "O!O!", &PyTuple_Type, &texts, &PyList_Type, &segs)) return -1;
    if (PyTuple_GET_SIZE(texts) != T_COUNT) { PyErr_SetString(PyExc_ValueError, "wrong number of texts"); return -1; }
    Py_INCREF(texts); Py_XSETREF(self->keep, texts);
    for (int i = 0; i < T_COUNT; i++)
        if (text_of(PyTuple_GET_ITEM(texts, i), &self->t[i])) return -1;
    Text nl = self->t[T_LIST_NL];
    self->item_nl_mem = PyMem_Malloc(nl.n + 3);
    if (!self->item_nl_mem) { PyErr_NoMemory(); return -1; }
    self->item_nl_mem[0] = ',';
    memcpy(self->item_nl_mem + 1, nl.s, nl.n);
    memcpy(self->item_nl_mem + 1 + nl.n, "  ", 2);
    self->item_nl.s = self->item_nl_mem; self->item_nl.n = nl.n + 3;
    Py_INCREF(segs); Py_XSETREF(self->seg_keep, segs);
    self->nsegs = PyList_GET_SIZE(segs);
    self->segs = PyMem_Calloc(self->nsegs ? self->nsegs : 1, sizeof(Seg));
    if (!self->segs) { PyErr_NoMemory(); return -1; }
    for (Py_ssize_t i = 0; i < self->nsegs; i++) {
        PyObject *p, *pj, *bj, *bm, *sent;
        Seg *s = &self->segs[i];
        if (!PyArg_ParseTuple(PyList_GET_ITEM(segs, i), "UUpUUU", &p, &pj, &s->body_is_id, &bj, &bm, &sent)) return -1;
        if (text_of(p, &s->prefix) || text_of(pj, &s->prefix_json) || text_of(bj, &s->body_json) ||
            text_of(bm, &s->body_md5) || text_of(sent, &s->sent)) return -1;
        if (!s->body_is_id && s->body_md5.n != 32) { PyErr_SetString(PyExc_ValueError, "an MD5's hex"); return -1; }
    }
    return 0;
}

static PyObject *nomem_error(void) { return PyErr_NoMemory(); }

/* open(sink, fd, first, sep): where a section's text goes (the writer owns no fd: the caller closes it). */
static PyObject *Render_open(Render *self, PyObject *args) {
    int k, fd;
    const char *first, *sep;
    Py_ssize_t fn, sn;
    if (!PyArg_ParseTuple(args, "iis#s#", &k, &fd, &first, &fn, &sep, &sn)) return NULL;
    if (k < 0 || k >= SINKS) { PyErr_SetString(PyExc_ValueError, "no such sink"); return NULL; }
    Sink *s = &self->sinks[k];
    if (s->fd >= 0) { /* the sink's text so far written */
        if (s->b.n && sink_send(&self->w, s)) return PyErr_SetFromErrno(PyExc_OSError);
        if (self->w.started && writer_drain(&self->w)) return PyErr_SetFromErrno(PyExc_OSError);
    }
    char *f = malloc(fn + 1), *p = malloc(sn + 1);
    if (!f || !p) { free(f); free(p); return nomem_error(); }
    memcpy(f, first, fn); memcpy(p, sep, sn);
    free(s->first); free(s->sep);
    s->first = f; s->first_n = fn; s->sep = p; s->sep_n = sn;
    s->fd = fd; s->any = 0;
    Py_RETURN_NONE;
}

/* Before a call's elements: the section's opening or its separator (nothing for a section not open: its text is not
   made in this pass). */
static int sink_begin(Render *self, int k) {
    Sink *s = &self->sinks[k];
    if (s->fd < 0) return 0;
    if (s->any) PUT(&s->b, s->sep, s->sep_n); else PUT(&s->b, s->first, s->first_n);
    s->any = 1;
    return 0;
nomem:
    PyErr_NoMemory();
    return -1;
}

static int sink_end(Render *self, int k) {
    Sink *s = &self->sinks[k];
    if (s->fd < 0) return 0;
    if (s->b.n >= FLUSH_AT && sink_send(&self->w, s)) { PyErr_SetFromErrno(PyExc_OSError); return -1; }
    return 0;
}

/* flush(): everything made so far written to its fd (raises OSError where a write failed). */
static PyObject *Render_flush(Render *self, PyObject *unused) {
    for (int k = 0; k < SINKS; k++)
        if (self->sinks[k].b.n && sink_send(&self->w, &self->sinks[k])) return PyErr_SetFromErrno(PyExc_OSError);
    if (self->w.started && writer_drain(&self->w)) return PyErr_SetFromErrno(PyExc_OSError);
    Py_RETURN_NONE;
}

/* close(): what is still queued is dropped, and the writer thread ends (after an error, so that nothing more reaches
   a descriptor the caller may close or reuse). The sinks are closed; a later open starts a new writer. */
static PyObject *Render_close(Render *self, PyObject *unused) {
    Writer *w = &self->w;
    if (w->started) {
        pthread_mutex_lock(&w->lock);
        if (!w->error) w->error = ECANCELED; /* the writer skips what is left */
        pthread_mutex_unlock(&w->lock);
        Py_BEGIN_ALLOW_THREADS
        writer_stop(w);
        Py_END_ALLOW_THREADS
        w->error = 0;
        w->stop = 0;
    }
    for (int k = 0; k < SINKS; k++) {
        self->sinks[k].fd = -1;
        self->sinks[k].b.n = 0;
    }
    Py_RETURN_NONE;
}

/* add(sink, text): one element made elsewhere (a scale entry). */
static PyObject *Render_add(Render *self, PyObject *args) {
    int k;
    const char *p;
    Py_ssize_t n;
    if (!PyArg_ParseTuple(args, "is#", &k, &p, &n)) return NULL;
    if (k < 0 || k >= SINKS) { PyErr_SetString(PyExc_ValueError, "no such sink"); return NULL; }
    if (self->sinks[k].fd < 0) Py_RETURN_NONE;
    if (sink_begin(self, k)) return NULL;
    PUT(&self->sinks[k].b, p, n);
    if (sink_end(self, k)) return NULL;
    Py_RETURN_NONE;
nomem:
    return nomem_error();
}

/* The end of a call: the pieces freed, and either an exception (e > 0: an error code; e < 0: already raised) or each
   sink's text handed on where there is enough of it. */
static PyObject *done(Render *self, Cursor *c, int e) {
    PyMem_Free(c->p);
    c->p = NULL;
    if (e > 0) raise_code(e);
    if (e) return NULL;
    for (int k = 0; k < SINKS; k++)
        if (sink_end(self, k)) return NULL;
    Py_RETURN_NONE;
}

/* One log line: {"t": t, "group": ..., "stream": stream, "message": head + request id + tail}. */
static int log_line(Render *self, Buf *logs, Text t, Text stream, Text head, const char *rid, Text tail) {
    const Text *lg = &self->t[T_LOG];
    PUT(logs, "    ", 4); PUTS(logs, lg[0]); PUTS(logs, t); PUTS(logs, lg[1]); PUTS(logs, stream);
    PUTS(logs, lg[2]); PUTS(logs, head); PUT(logs, rid, 36); PUTS(logs, tail); PUTS(logs, lg[3]);
    return 0;
nomem:
    return E_NOMEM;
}

/* each(sink, head, tail, sep, pieces): for each message of `pieces`, head + its id as JSON + tail, joined by sep (a
   backlog's arrive entries, the inputs' states). */
static PyObject *Render_each(Render *self, PyObject *args) {
    PyObject *head_o, *tail_o, *sep_o, *pieces;
    Text head, tail, sep;
    Cursor c = {0};
    Seg *seg; char num[24]; int k, nl, first = 1;
    if (!PyArg_ParseTuple(args, "iUUUO", &k, &head_o, &tail_o, &sep_o, &pieces) || text_of(head_o, &head) ||
        text_of(tail_o, &tail) || text_of(sep_o, &sep)) return NULL;
    if (k < 0 || k >= SINKS) { PyErr_SetString(PyExc_ValueError, "no such sink"); return NULL; }
    if (self->sinks[k].fd < 0) Py_RETURN_NONE;
    if (cursor_init(self, &c, pieces)) return NULL;
    if (sink_begin(self, k)) goto fail;
    Buf *b = &self->sinks[k].b;
    while (cursor_next(self, &c, &seg, num, &nl)) {
        if (!first) PUTS(b, sep);
        first = 0;
        PUTS(b, head); PUTC(b, '"'); PUTS(b, seg->prefix_json); PUT(b, num, nl); PUTC(b, '"'); PUTS(b, tail);
        if (b->n >= FLUSH_AT && sink_end(self, k)) goto fail;
    }
    return done(self, &c, 0);
nomem:
    return done(self, &c, E_NOMEM);
fail:
    return done(self, &c, -1);
}

static int run_messages(Render *self, Scratch *sc, Cursor *c, long long n) {
    for (long long j = 0; j < n; j++)
        if (!cursor_next(self, c, &sc->msgs[j].seg, sc->msgs[j].num, &sc->msgs[j].nl)) return E_SHORT;
    return 0;
}

/* A run's id list (at the list's indent) in sc->lst, and its request id. */
static int id_list(Render *self, Scratch *sc, long long n, char rid[36]) {
    const Text nl = self->t[T_LIST_NL];
    Buf *lst = &sc->lst, *key = &sc->key;
    Msg *msgs = sc->msgs;
    lst->n = 0; key->n = 0;
    PUTC(lst, '[');
    PUTS(key, self->t[T_SEED]); PUT(key, "request|", 8);
    for (long long j = 0; j < n; j++) {
        if (j) { PUTS(lst, self->item_nl); PUTC(key, '|'); }
        else { PUTS(lst, nl); PUT(lst, "  ", 2); }
        PUTC(lst, '"'); PUTS(lst, msgs[j].seg->prefix_json); PUT(lst, msgs[j].num, msgs[j].nl); PUTC(lst, '"');
        PUTS(key, msgs[j].seg->prefix); PUT(key, msgs[j].num, msgs[j].nl);
    }
    PUTS(lst, nl); PUTC(lst, ']');
    PUT(key, "|1", 2);
    unsigned char d[32];
    sha256((unsigned char *)key->p, key->n, d);
    uuid_text(d, rid);
    return 0;
nomem:
    return E_NOMEM;
}

/* The runs' instances and log streams (C arrays in self), and room for a run's messages. */
static int runs_setup(Render *self, PyObject *streams, PyObject *instances, long long k, long long size) {
    if (k < 0 || size < 1 || PyList_GET_SIZE(instances) < k) {
        PyErr_SetString(PyExc_ValueError, "bad runs");
        return -1;
    }
    if ((size_t)k > self->nruns) {
        Text *s = realloc(self->strm, sizeof(Text) * k);
        if (s) self->strm = s;
        long long *in = realloc(self->inst, sizeof(long long) * k);
        if (in) self->inst = in;
        if (!s || !in) { PyErr_NoMemory(); return -1; }
        self->nruns = k;
    }
    if ((size_t)size > self->sc.nmsgs) {
        Msg *m = realloc(self->sc.msgs, sizeof(Msg) * size);
        if (!m) { PyErr_NoMemory(); return -1; }
        self->sc.msgs = m;
        self->sc.nmsgs = size;
    }
    for (long long j = 0; j < k; j++) {
        long long inst = PyLong_AsLongLong(PyList_GET_ITEM(instances, j));
        if (inst == -1 && PyErr_Occurred()) return -1;
        PyObject *so = PyList_GetItem(streams, (Py_ssize_t)inst);
        if (!so || text_of(so, &self->strm[j])) return -1;
        self->inst[j] = inst;
    }
    return 0;
}

/* What a call's invocation records share. */
typedef struct {
    Text t, epoch, end, bill_full, bill_last;
    long long n0, k, size, last, warm, rec_n0;
} Starts;

/* What `starts` writes of its runs (group_trace's EVERYTHING, BATCH_ONLY, STARTED_ONLY). */
enum { M_EVERYTHING, M_BATCH_ONLY, M_STARTED_ONLY };

/* The invocation records of runs j0..j1-1 (each after ",\n" but the call's first) into `out`. No Python. */
static int inv_runs(Render *self, Scratch *sc, Cursor *c, const Starts *a, long long j0, long long j1, Buf *out) {
    const Text *T = self->t, *iv = &T[T_INV], *r = &T[T_REC];
    const Text seed = T[T_SEED];
    Buf *invs = out, *rec = &sc->rec, *lst = &sc->lst;
    int e;
    for (long long j = j0; j < j1; j++) {
        long long n = j == a->k - 1 ? a->last : a->size;
        int cold = j >= a->warm;
        char rid[36], nbuf[24], ibuf[24];
        int nlen = num_text(a->rec_n0 + j, nbuf);
        int ilen = num_text(self->inst[j], ibuf);
        const char *flag = cold ? "true" : "false";
        int flen = cold ? 4 : 5;
        if ((e = run_messages(self, sc, c, n)) || (e = id_list(self, sc, n, rid))) return e;
        if (j) PUT(invs, ",\n", 2);
        PUT(invs, "    ", 4); PUTS(invs, iv[0]); PUT(invs, nbuf, nlen); PUTS(invs, iv[1]); PUTC(invs, '"');
        PUT(invs, rid, 36); PUTC(invs, '"'); PUTS(invs, iv[2]); PUTS(invs, a->t); PUTS(invs, iv[3]);
        PUTS(invs, a->end); PUTS(invs, iv[4]); PUT(invs, lst->p, lst->n); PUTS(invs, iv[5]); PUT(invs, ibuf, ilen);
        PUTS(invs, iv[6]); PUT(invs, flag, flen); PUTS(invs, iv[7]);
        PUTS(invs, T[T_EV_HEAD]);
        for (long long m = 0; m < n; m++) {
            Msg *msg = &sc->msgs[m];
            Seg *sg = msg->seg;
            unsigned char d[32];
            char x[64];
            if (m) PUTS(invs, T[T_EV_SEP]);
            /* messageId: uuid(sha256(seed|message|id)) */
            rec->n = 0;
            PUTS(rec, seed); PUT(rec, "message|", 8); PUTS(rec, sg->prefix); PUT(rec, msg->num, msg->nl);
            sha256((unsigned char *)rec->p, rec->n, d);
            uuid_text(d, x);
            PUTS(invs, r[0]); PUTC(invs, '"'); PUT(invs, x, 36); PUTC(invs, '"'); PUTS(invs, r[1]);
            /* receiptHandle: "AQEB" + hex(sha256(seed|receipt|id|1))[:48] */
            rec->n = 0;
            PUTS(rec, seed); PUT(rec, "receipt|", 8); PUTS(rec, sg->prefix); PUT(rec, msg->num, msg->nl);
            PUT(rec, "|1", 2);
            sha256((unsigned char *)rec->p, rec->n, d);
            hexify(d, 24, x);
            PUT(invs, "\"AQEB", 5); PUT(invs, x, 48); PUTC(invs, '"'); PUTS(invs, r[2]);
            if (sg->body_is_id) {
                PUTC(invs, '"'); PUTS(invs, sg->prefix_json); PUT(invs, msg->num, msg->nl); PUTC(invs, '"');
                rec->n = 0;
                PUTS(rec, sg->prefix); PUT(rec, msg->num, msg->nl);
                md5((unsigned char *)rec->p, rec->n, d);
                hexify(d, 16, x);
            } else {
                PUTS(invs, sg->body_json);
                memcpy(x, sg->body_md5.s, 32);
            }
            PUTS(invs, r[3]); PUT(invs, "\"1\"", 3); PUTS(invs, r[4]); PUTC(invs, '"'); PUTS(invs, sg->sent);
            PUTC(invs, '"'); PUTS(invs, r[5]); PUTC(invs, '"'); PUTS(invs, a->epoch); PUTC(invs, '"');
            PUTS(invs, r[6]); PUTC(invs, '"'); PUT(invs, x, 32); PUTC(invs, '"'); PUTS(invs, r[7]);
        }
        PUTS(invs, T[T_EV_TAIL]);
        PUTS(invs, iv[8]);
        if (j == a->k - 1) PUTS(invs, a->bill_last); else PUTS(invs, a->bill_full);
        PUTS(invs, iv[9]);
    }
    return 0;
nomem:
    return E_NOMEM;
}

/* The invocation records of all k runs, about FLUSH_AT of text at a time handed to the writer. (A second thread
   making half of them was no faster: on two cores the writer needs the other one.) */
static int inv_all(Render *self, Cursor *c, const Starts *a) {
    long long per = FLUSH_AT / (a->size * 600 + 1000);
    if (per < 1) per = 1;
    for (long long j = 0; j < a->k; j += per) {
        int e = inv_runs(self, &self->sc, c, a, j, j + per < a->k ? j + per : a->k, &self->sinks[S_INVOCATIONS].b);
        if (e) { raise_code(e); return -1; }
        if (sink_end(self, S_INVOCATIONS)) return -1;
    }
    return 0;
}

static PyObject *Render_starts(Render *self, PyObject *args) {
    PyObject *t_o, *epoch_o, *instances, *streams, *end_o, *pieces;
    PyObject *sm0_o, *sm1_o, *bf_o, *bl_o;
    Starts a;
    Text sm0, sm1;
    Cursor c = {0};
    int e, mode = M_EVERYTHING;
    a.rec_n0 = -1;
    if (!PyArg_ParseTuple(args, "UULLLLO!LO!(UU)U(UU)O|iL", &t_o, &epoch_o, &a.n0, &a.k, &a.size, &a.last,
                          &PyList_Type, &instances, &a.warm, &PyList_Type, &streams, &sm0_o, &sm1_o, &end_o, &bf_o,
                          &bl_o, &pieces, &mode, &a.rec_n0))
        return NULL;
    if (a.rec_n0 < 0) a.rec_n0 = a.n0;
    if (mode < M_EVERYTHING || mode > M_STARTED_ONLY) { PyErr_SetString(PyExc_ValueError, "bad mode"); return NULL; }
    if (text_of(t_o, &a.t) || text_of(epoch_o, &a.epoch) || text_of(sm0_o, &sm0) || text_of(sm1_o, &sm1) ||
        text_of(end_o, &a.end) || text_of(bf_o, &a.bill_full) || text_of(bl_o, &a.bill_last)) return NULL;
    if (a.last < 1 || a.last > a.size || runs_setup(self, streams, instances, a.k, a.size)) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "bad runs");
        return NULL;
    }
    /* the batch and environment entries only: no log line and no invocation record */
    const int batch = mode != M_STARTED_ONLY, started = mode != M_BATCH_ONLY;
    const int do_tl = self->sinks[S_TIMELINE].fd >= 0, do_logs = started && self->sinks[S_LOGS].fd >= 0,
              do_invs = started && self->sinks[S_INVOCATIONS].fd >= 0;
    if (!do_tl && !do_logs && !do_invs) Py_RETURN_NONE;
    if (cursor_init(self, &c, pieces)) return NULL;
    if ((do_tl && sink_begin(self, S_TIMELINE)) || (do_logs && sink_begin(self, S_LOGS)) ||
        (do_invs && sink_begin(self, S_INVOCATIONS))) goto fail;
    if (do_invs && !do_tl && !do_logs) /* the invocations' pass */
        return done(self, &c, inv_all(self, &c, &a) ? -1 : 0);
    const Text *T = self->t, *bt = &T[T_BATCH], *st = &T[T_START];
    const Text t = a.t;
    Buf *tl = &self->sinks[S_TIMELINE].b, *logs = &self->sinks[S_LOGS].b;
    Scratch *sc = &self->sc;
    Buf *lst = &sc->lst;
    for (long long j = 0; j < a.k; j++) {
        long long n = j == a.k - 1 ? a.last : a.size;
        int cold = j >= a.warm;
        char rid[36], nbuf[24], ibuf[24];
        int nlen = num_text(a.n0 + j, nbuf);
        int ilen = num_text(self->inst[j], ibuf);
        const Text *env = &T[cold ? T_ENV1 : T_ENV0];
        const char *flag = cold ? "true" : "false";
        int flen = cold ? 4 : 5;
        if (do_invs) { /* with the other lists too: the records one run at a time */
            Cursor one = c;
            if ((e = inv_runs(self, &self->sc, &one, &a, j, j + 1, &self->sinks[S_INVOCATIONS].b))) goto code;
            if (sink_end(self, S_INVOCATIONS)) goto fail;
        }
        if ((e = run_messages(self, sc, &c, n)) || (e = id_list(self, sc, n, rid))) goto code;
        if (do_tl) {
            if (j) PUT(tl, ",\n", 2);
            if (batch) {
                PUT(tl, "    ", 4); PUTS(tl, bt[0]); PUTS(tl, t); PUTS(tl, bt[1]); PUT(tl, lst->p, lst->n);
                PUTS(tl, bt[2]);
                PUT(tl, ",\n    ", 6); PUTS(tl, env[0]); PUTS(tl, t); PUTS(tl, env[1]); PUT(tl, ibuf, ilen);
                PUTS(tl, env[2]); PUTC(tl, '"'); PUT(tl, rid, 36); PUTC(tl, '"'); PUTS(tl, env[3]);
            }
            if (batch && started) PUT(tl, ",\n", 2);
            if (started) {
                PUT(tl, "    ", 4); PUTS(tl, st[0]); PUTS(tl, t); PUTS(tl, st[1]); PUT(tl, nbuf, nlen);
                PUTS(tl, st[2]); PUT(tl, lst->p, lst->n); PUTS(tl, st[3]); PUT(tl, ibuf, ilen); PUTS(tl, st[4]);
                PUT(tl, flag, flen); PUTS(tl, st[5]);
            }
        }
        if (do_logs) {
            if (j) PUT(logs, ",\n", 2);
            if ((e = log_line(self, logs, t, self->strm[j], sm0, rid, sm1))) goto code;
        }
    }
    return done(self, &c, 0);
nomem:
    return done(self, &c, E_NOMEM);
code:
    return done(self, &c, e);
fail:
    return done(self, &c, -1);
}

static PyObject *Render_ends(Render *self, PyObject *args) {
    PyObject *t_o, *instances, *streams, *pieces, *reports_o;
    PyObject *em0_o, *em1_o, *em2_o;
    long long n0, k, size, last, warm;
    Text t, em0, em1, em2, rep[4];
    Cursor c = {0};
    if (!PyArg_ParseTuple(args, "ULLLLO!LO!(UUU)O!O", &t_o, &n0, &k, &size, &last, &PyList_Type, &instances, &warm,
                          &PyList_Type, &streams, &em0_o, &em1_o, &em2_o, &PyTuple_Type, &reports_o, &pieces))
        return NULL;
    if (text_of(t_o, &t) || text_of(em0_o, &em0) || text_of(em1_o, &em1) || text_of(em2_o, &em2)) return NULL;
    if (PyTuple_GET_SIZE(reports_o) != 4) { PyErr_SetString(PyExc_ValueError, "four reports"); return NULL; }
    for (int i = 0; i < 4; i++)
        if (text_of(PyTuple_GET_ITEM(reports_o, i), &rep[i])) return NULL;
    if (last < 1 || last > size || runs_setup(self, streams, instances, k, size)) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "bad runs");
        return NULL;
    }
    const int do_tl = self->sinks[S_TIMELINE].fd >= 0, do_logs = self->sinks[S_LOGS].fd >= 0;
    if (!do_tl && !do_logs) Py_RETURN_NONE;
    if (cursor_init(self, &c, pieces)) return NULL;
    if (sink_begin(self, S_TIMELINE) || sink_begin(self, S_LOGS)) goto fail;
    const Text *T = self->t, *x = &T[T_END], *dl = &T[T_DELETE];
    Buf *tl = &self->sinks[S_TIMELINE].b, *logs = &self->sinks[S_LOGS].b, *lst = &self->sc.lst;
    int e;
    for (long long j = 0; j < k; j++) {
        long long n = j == k - 1 ? last : size;
        int cold = j >= warm;
        char rid[36], nbuf[24];
        int nlen = num_text(n0 + j, nbuf);
        if ((e = run_messages(self, &self->sc, &c, n)) || (e = id_list(self, &self->sc, n, rid))) goto code;
        if (do_logs) {
            if (j) PUT(logs, ",\n", 2);
            if ((e = log_line(self, logs, t, self->strm[j], em0, rid, em1))) goto code;
            PUT(logs, ",\n", 2);
            if ((e = log_line(self, logs, t, self->strm[j], em2, rid, rep[(j == k - 1 ? 2 : 0) + cold]))) goto code;
        }
        if (!do_tl) continue;
        if (j) PUT(tl, ",\n", 2);
        PUT(tl, "    ", 4); PUTS(tl, x[0]); PUTS(tl, t); PUTS(tl, x[1]); PUT(tl, nbuf, nlen); PUTS(tl, x[2]);
        PUT(tl, lst->p, lst->n); PUTS(tl, x[3]);
        PUT(tl, ",\n    ", 6); PUTS(tl, dl[0]); PUTS(tl, t); PUTS(tl, dl[1]); PUT(tl, lst->p, lst->n);
        PUTS(tl, dl[2]);
    }
    return done(self, &c, 0);
nomem:
    return done(self, &c, E_NOMEM);
code:
    return done(self, &c, e);
fail:
    return done(self, &c, -1);
}

static PyMethodDef Render_methods[] = {
    {"open", (PyCFunction)Render_open, METH_VARARGS, "open(sink, fd, first, sep): where a section's text goes."},
    {"add", (PyCFunction)Render_add, METH_VARARGS, "add(sink, text): one element made elsewhere."},
    {"flush", (PyCFunction)Render_flush, METH_NOARGS, "Write out everything made so far."},
    {"close", (PyCFunction)Render_close, METH_NOARGS, "Drop what is queued and end the writer thread."},
    {"each", (PyCFunction)Render_each, METH_VARARGS, "each(sink, head, tail, sep, pieces): one element a message."},
    {"starts", (PyCFunction)Render_starts, METH_VARARGS, "Timeline, log and invocation text of runs started now."},
    {"ends", (PyCFunction)Render_ends, METH_VARARGS, "Timeline and log text of runs that end now."},
    {NULL}};

static PyTypeObject RenderType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "study.sim._bulktext.Render",
    .tp_basicsize = sizeof(Render),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = Render_new,
    .tp_init = (initproc)Render_init,
    .tp_dealloc = (destructor)Render_dealloc,
    .tp_methods = Render_methods,
    .tp_doc = "The text of SQS poll rounds (study.sim.group_trace.PyRender's methods, in C), written to file "
              "descriptors by a thread of its own.",
};

/* -- module -------------------------------------------------------------------------------------------------- */

/* use_libcrypto(path or None): take SHA256 and MD5 from that library (None: the portable C). True when taken. */
static PyObject *use_libcrypto(PyObject *mod, PyObject *arg) {
    memset(&ossl_sha, 0, sizeof ossl_sha);
    memset(&ossl_md, 0, sizeof ossl_md);
    if (arg == Py_None) Py_RETURN_FALSE;
    const char *path = PyUnicode_AsUTF8(arg);
    if (!path) return NULL;
    void *h = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
    if (!h) h = dlopen(path, RTLD_NOW);
    if (!h) Py_RETURN_FALSE;
    Lib s = {(init_fn)dlsym(h, "SHA256_Init"), (update_fn)dlsym(h, "SHA256_Update"),
             (final_fn)dlsym(h, "SHA256_Final")};
    Lib m = {(init_fn)dlsym(h, "MD5_Init"), (update_fn)dlsym(h, "MD5_Update"), (final_fn)dlsym(h, "MD5_Final")};
    if (!s.init || !s.update || !s.final || !m.init || !m.update || !m.final) Py_RETURN_FALSE;
    ossl_sha = s;
    ossl_md = m;
    Py_RETURN_TRUE;
}

static PyObject *digests(PyObject *mod, PyObject *arg) {
    /* (sha256, md5) of bytes: for the tests, which compare them with hashlib's */
    char *d; Py_ssize_t n;
    unsigned char s[32], m[16];
    if (PyBytes_AsStringAndSize(arg, &d, &n)) return NULL;
    sha256((unsigned char *)d, n, s);
    md5((unsigned char *)d, n, m);
    return Py_BuildValue("(y#y#)", s, (Py_ssize_t)32, m, (Py_ssize_t)16);
}

static PyMethodDef methods[] = {
    {"use_libcrypto", use_libcrypto, METH_O, "Take SHA256 and MD5 from this libcrypto (None: the portable C)."},
    {"digests", digests, METH_O, "(SHA-256, MD5) of bytes."},
    {NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_bulktext", "The C renderer of study.sim.group_trace.",
                                    -1, methods};

PyMODINIT_FUNC PyInit__bulktext(void) {
    md5_constants();
    if (PyType_Ready(&RenderType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
#ifdef BULKTEXT_SOURCE
    if (PyModule_AddStringConstant(m, "source", BULKTEXT_SOURCE) < 0) { Py_DECREF(m); return NULL; }
#endif
    Py_INCREF(&RenderType);
    if (PyModule_AddObject(m, "Render", (PyObject *)&RenderType) < 0) {
        Py_DECREF(&RenderType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
