/* jobq.h: the System V job queue of chapter 7, shared by svmq_produce,
 * svmq_consume and svmq_poll.
 *
 * The queue's key is ftok(path, JOBQ_PROJ) for a path the user gives.  A
 * job is one message of 1 to kernel.msgmax bytes with no newline; its
 * priority p (0 to PRIO_MAX, higher first) travels as the message type
 * prio_type(p), so that msgrcv with msgtyp -TYPE_LOWEST takes the highest
 * priority first, oldest first within one.  An empty message of type
 * TYPE_LOWEST (priority 0) is the end marker: it stops one consumer. */
#ifndef JOBQ_H
#define JOBQ_H

enum { JOBQ_PROJ = 'j', PRIO_MAX = 32767, TYPE_LOWEST = PRIO_MAX + 1 };

#define prio_type(p) ((long)TYPE_LOWEST - (p))
#define type_prio(t) ((long)TYPE_LOWEST - (t))

#endif
