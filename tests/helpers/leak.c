/*
 * leak - make one IPC object and leave it behind, for the audit's own tests
 *
 * usage: leak KIND NAME
 *   fifo PATH       socket PATH     abstract NAME*   msg KEY    sem KEY
 *   shm KEY         pshm /NAME      mq /NAME         psem /NAME
 *   flock PATH*     fcntl PATH*     ofd PATH*        process -*
 * KEY is a System V key (decimal or 0x hex).  The kinds marked * exist only
 * while a process holds them: leak then prints "ready" and waits to be
 * killed.  The others are made, left, and leak exits 0.
 */
#define _GNU_SOURCE
#include <err.h>
#include <fcntl.h>
#include <mqueue.h>
#include <semaphore.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static void hold(void)
{
    puts("ready");
    if (fflush(stdout) == EOF)
        err(1, "stdout");
    for (;;)
        pause();
}

static int bound_socket(const char *name, int abstract)
{
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    socklen_t len;

    if (fd < 0)
        err(1, "socket");
    if (strlen(name) + 1 > sizeof a.sun_path)
        errx(1, "%s: too long", name);
    strcpy(a.sun_path + abstract, name);
    len = offsetof(struct sockaddr_un, sun_path) + abstract + strlen(name);
    if (bind(fd, (struct sockaddr *)&a, len) < 0 || listen(fd, 1) < 0)
        err(1, "bind %s", name);
    return fd;
}

static int locked_file(const char *path, int cmd)
{
    struct flock l = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    int fd = open(path, O_RDWR | O_CREAT, 0600);

    if (fd < 0)
        err(1, "%s", path);
    if (cmd < 0 ? flock(fd, LOCK_EX) < 0 : fcntl(fd, cmd, &l) < 0)
        err(1, "lock %s", path);
    return fd;
}

int main(int argc, char *argv[])
{
    const char *kind = argc == 3 ? argv[1] : "", *name = argc == 3 ? argv[2] : "";
    key_t key = (key_t)strtol(name, NULL, 0);

    if (!strcmp(kind, "fifo")) {
        if (mkfifo(name, 0600) < 0)
            err(1, "mkfifo %s", name);
    } else if (!strcmp(kind, "socket")) {
        close(bound_socket(name, 0));   /* closing leaves the file */
    } else if (!strcmp(kind, "abstract")) {
        bound_socket(name, 1);
        hold();
    } else if (!strcmp(kind, "msg")) {
        if (msgget(key, IPC_CREAT | IPC_EXCL | 0600) < 0)
            err(1, "msgget");
    } else if (!strcmp(kind, "sem")) {
        if (semget(key, 1, IPC_CREAT | IPC_EXCL | 0600) < 0)
            err(1, "semget");
    } else if (!strcmp(kind, "shm")) {
        if (shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600) < 0)
            err(1, "shmget");
    } else if (!strcmp(kind, "pshm")) {
        int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
        if (fd < 0)
            err(1, "shm_open %s", name);
        close(fd);
    } else if (!strcmp(kind, "mq")) {
        mqd_t q = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, NULL);
        if (q == (mqd_t)-1)
            err(1, "mq_open %s", name);
        mq_close(q);
    } else if (!strcmp(kind, "psem")) {
        sem_t *s = sem_open(name, O_CREAT | O_EXCL, 0600, 0);
        if (s == SEM_FAILED)
            err(1, "sem_open %s", name);
        sem_close(s);
    } else if (!strcmp(kind, "flock")) {
        locked_file(name, -1);
        hold();
    } else if (!strcmp(kind, "fcntl")) {
        locked_file(name, F_SETLK);
        hold();
    } else if (!strcmp(kind, "ofd")) {
        locked_file(name, F_OFD_SETLK);
        hold();
    } else if (!strcmp(kind, "process")) {
        hold();
    } else {
        fprintf(stderr, "usage: leak KIND NAME (see the comment in leak.c)\n");
        return 2;
    }
    return 0;
}
