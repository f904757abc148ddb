#ifndef RT_FASTSTART_H
#define RT_FASTSTART_H

#include <stdint.h>

/* What became of an `rt start` the constructor sent START for without
 * seeing the program exec'd; began is 0 when it left the command to Go. */
enum {
	RT_FASTSTART_INIT_ERROR = 1, /* RT_MSG_ERROR: err, text */
	RT_FASTSTART_RECV_ERRNO,     /* reading the reply failed with err */
	RT_FASTSTART_SHORT,          /* a reply of err bytes */
	RT_FASTSTART_UNEXPECTED,     /* a reply that is not RT_MSG_ERROR */
};

struct rt_faststart_outcome {
	int began;
	int kind;
	int32_t err;
	char text[1024];
};

extern struct rt_faststart_outcome rt_faststart;

#endif
