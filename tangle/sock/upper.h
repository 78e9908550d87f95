/* upper.h: the protocol of sock_server and sock_client.  Over a stream
 * socket every request and reply is a frame: a 4-byte length, most
 * significant byte first, then that many bytes.  Over SOCK_SEQPACKET a
 * record is a frame, with no length.  A reply is 'O' and the request in
 * upper case, or 'E' and an error message, after which the server
 * closes the connection. */
#ifndef UPPER_H
#define UPPER_H
#include <stdint.h>

#define UPPER_SOCKET "upper.sock"       /* its name in the server's dir */
enum {
    UPPER_HEADER = 4,                   /* bytes of the length */
    UPPER_MAX = 65536,                  /* the default longest request */
    UPPER_MSG = 200,                    /* the longest error message */
    UPPER_OK = 'O',
    UPPER_ERR = 'E'
};

static inline void upper_put_len(unsigned char *p, uint32_t len)
{
    p[0] = (unsigned char)(len >> 24);
    p[1] = (unsigned char)(len >> 16);
    p[2] = (unsigned char)(len >> 8);
    p[3] = (unsigned char)len;
}

static inline uint32_t upper_get_len(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16
           | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

#endif
