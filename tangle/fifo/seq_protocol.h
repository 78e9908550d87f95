/* seq_protocol.h: the protocol of the sequence-number service, spoken by
 * fifo_server and fifo_client.
 *
 * A client sends the line "NAME COUNT\n" into the FIFO REQUESTS of the
 * server's directory, in one write of at most REQUEST_MAX bytes, so that
 * it arrives whole.  NAME is a FIFO the client made in that directory;
 * the server writes "FIRST\n" into it: the first of COUNT numbers (1 to
 * COUNT_MAX) that no other client gets. */
#ifndef SEQ_PROTOCOL_H
#define SEQ_PROTOCOL_H
#include <limits.h>

#define REQUESTS "requests"
enum { REQUEST_MAX = PIPE_BUF, COUNT_MAX = 1000000 };

#endif
