/* seq_protocol.h: the protocol of the sequence-number service, spoken by
 * fifo_server and fifo_client.
 *
 * A client makes a FIFO NAME in the server's directory and opens it for
 * reading before it asks.  It then sends "\nNAME COUNT\n" into the FIFO
 * REQUESTS of that directory, in one write of at most REQUEST_MAX bytes,
 * so that it arrives whole; the leading newline ends whatever unfinished
 * line another writer left.  The server writes "FIRST\n" into NAME: the
 * first of COUNT numbers (1 to COUNT_MAX) that no other client gets, now
 * or after a restart.  A NAME that nobody reads gets no reply.  The
 * server keeps its counter in the file STATE, which it locks for life. */
#ifndef SEQ_PROTOCOL_H
#define SEQ_PROTOCOL_H
#include <limits.h>

#define REQUESTS "requests"
#define STATE "seq"
enum { REQUEST_MAX = PIPE_BUF, COUNT_MAX = 1000000 };

#endif
