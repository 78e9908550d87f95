/* dgram_protocol.h: the sequence-number service over UNIX datagrams,
 * spoken by dgram_server and dgram_client.
 *
 * A client sends one datagram, "COUNT" (a decimal number from 1 to
 * COUNT_MAX, optionally followed by a newline), to the socket SOCKET_NAME
 * in the server's directory, from a socket that has an address.  The
 * server answers with one datagram to that address: "FIRST\n", the first
 * of COUNT numbers that no other client gets, or "error: WHY\n".  A
 * request longer than REQUEST_MAX bytes is refused. */
#ifndef DGRAM_PROTOCOL_H
#define DGRAM_PROTOCOL_H

#define SOCKET_NAME "socket"
enum { REQUEST_MAX = 64, REPLY_MAX = 128, COUNT_MAX = 1000000 };

#endif
