// SPDX-License-Identifier: MIT
/*
 * virgl-textures: a GLES 2 program that knows nothing about the GEM shmem
 * shrinker. Through Mesa (EGL on GBM, the virtio-gpu render node, Mesa's
 * virgl driver) it creates many textures, each with its own pattern, and
 * checks what the GPU renders from each one (glReadPixels of a copy into a
 * framebuffer object); then it lets them sit idle while another process
 * presses on memory, and renders and checks every one again, after
 * rewriting one block of each with the same texels (glTexSubImage2D, as
 * an application updating its textures does).
 *
 *   virgl-textures TEXTURES SIZE PRESS_MIB
 *
 * Prints one JSON object: textures, their MiB, frames checked, wrong
 * frames, whether the pressing process was killed, and seconds.
 */

#define EGL_EGLEXT_PROTOTYPES
#define GL_GLEXT_PROTOTYPES
#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GLES2/gl2.h>
#include <errno.h>
#include <fcntl.h>
#include <gbm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "virgl-textures: %s (EGL 0x%x, GL 0x%x, errno %d)\n", what, eglGetError(),
		glGetError(), errno);
	exit(1);
}

/*
 * The texel of texture @t at (@x, @y): each texture differs, in 16x16
 * blocks, so that a page compresses in zram swap as image data does.
 */
static uint32_t texel(uint32_t t, uint32_t x, uint32_t y)
{
	uint32_t v = (t * 2654435761u) ^ ((x >> 4) * 40503u) ^ ((y >> 4) * 2246822519u);

	return v | 0xff000000u; /* opaque: the copy keeps it exactly */
}

static GLuint shader(GLenum type, const char *src)
{
	GLuint s = glCreateShader(type);
	GLint ok = 0;

	glShaderSource(s, 1, &src, NULL);
	glCompileShader(s);
	glGetShaderiv(s, GL_COMPILE_STATUS, &ok);
	if (!ok)
		die("shader compilation");
	return s;
}

static const char vs[] =
	"attribute vec2 pos;\n"
	"varying vec2 uv;\n"
	"void main() { uv = pos * 0.5 + 0.5; gl_Position = vec4(pos, 0.0, 1.0); }\n";
static const char fs[] =
	"precision mediump float;\n"
	"uniform sampler2D tex;\n"
	"varying vec2 uv;\n"
	"void main() { gl_FragColor = texture2D(tex, uv); }\n";

/* Render texture @tex into the bound framebuffer and compare every texel. */
static int frame_wrong(GLuint tex, uint32_t t, int size, uint32_t *pixels)
{
	glBindTexture(GL_TEXTURE_2D, tex);
	glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
	glReadPixels(0, 0, size, size, GL_RGBA, GL_UNSIGNED_BYTE, pixels);
	for (int y = 0; y < size; y++)
		for (int x = 0; x < size; x++)
			if (pixels[y * size + x] != texel(t, x, y))
				return 1;
	return 0;
}

/*
 * Touch @mib MiB of anonymous memory, 1 MiB at a time, with data that
 * does not compress (zram swap cannot make room for it), then exit.
 */
static int press(size_t mib)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		die("fork");
	if (pid == 0) {
		FILE *f = fopen("/proc/self/oom_score_adj", "w");

		if (f) {
			fputs("1000", f);
			fclose(f);
		}
		uint64_t r = 88172645463325252ull;

		for (size_t i = 0; i < mib; i++) {
			uint64_t *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
					   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (p == MAP_FAILED)
				_exit(2);
			for (size_t j = 0; j < (1 << 20) / sizeof(*p); j++) {
				r ^= r << 13;
				r ^= r >> 7;
				r ^= r << 17;
				p[j] = r;
			}
		}
		_exit(0);
	}
	if (waitpid(pid, &status, 0) < 0)
		die("waitpid");
	return WIFSIGNALED(status);
}

int main(int argc, char **argv)
{
	static const GLfloat quad[] = { -1, -1, 1, -1, -1, 1, 1, 1 };
	struct timespec t0, t1;
	int n, size, fd, killed, wrong = 0, frames = 0;
	size_t press_mib;
	uint32_t *pixels;
	GLuint *tex, fbo, target, prog;
	EGLDisplay dpy;
	EGLContext ctx;
	EGLConfig cfg;
	EGLint count;
	struct gbm_device *gbm;

	if (argc != 4)
		die("usage: virgl-textures TEXTURES SIZE PRESS_MIB");
	n = atoi(argv[1]);
	size = atoi(argv[2]);
	press_mib = strtoul(argv[3], NULL, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);

	fd = open("/dev/dri/renderD128", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die("open /dev/dri/renderD128");
	gbm = gbm_create_device(fd);
	if (!gbm)
		die("gbm_create_device");
	dpy = eglGetPlatformDisplay(EGL_PLATFORM_GBM_KHR, gbm, NULL);
	if (dpy == EGL_NO_DISPLAY || !eglInitialize(dpy, NULL, NULL))
		die("eglInitialize");
	eglBindAPI(EGL_OPENGL_ES_API);
	{
		static const EGLint attrs[] = { EGL_RENDERABLE_TYPE, EGL_OPENGL_ES2_BIT, EGL_NONE };
		static const EGLint ctx_attrs[] = { EGL_CONTEXT_CLIENT_VERSION, 2, EGL_NONE };

		if (!eglChooseConfig(dpy, attrs, &cfg, 1, &count) || count < 1)
			die("eglChooseConfig");
		ctx = eglCreateContext(dpy, cfg, EGL_NO_CONTEXT, ctx_attrs);
		if (ctx == EGL_NO_CONTEXT)
			die("eglCreateContext");
	}
	if (!eglMakeCurrent(dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, ctx))
		die("eglMakeCurrent (surfaceless)");
	fprintf(stderr, "virgl-textures: %s, %s\n", glGetString(GL_RENDERER),
		glGetString(GL_VERSION));

	prog = glCreateProgram();
	glAttachShader(prog, shader(GL_VERTEX_SHADER, vs));
	glAttachShader(prog, shader(GL_FRAGMENT_SHADER, fs));
	glBindAttribLocation(prog, 0, "pos");
	glLinkProgram(prog);
	glUseProgram(prog);
	glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 0, quad);
	glEnableVertexAttribArray(0);

	glGenTextures(1, &target);
	glBindTexture(GL_TEXTURE_2D, target);
	glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, size, size, 0, GL_RGBA, GL_UNSIGNED_BYTE, NULL);
	glGenFramebuffers(1, &fbo);
	glBindFramebuffer(GL_FRAMEBUFFER, fbo);
	glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, target, 0);
	if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE)
		die("framebuffer");
	glViewport(0, 0, size, size);

	pixels = malloc((size_t)size * size * 4);
	tex = calloc(n, sizeof(*tex));
	if (!pixels || !tex)
		die("malloc");
	glGenTextures(n, tex);
	for (int t = 0; t < n; t++) {
		for (int y = 0; y < size; y++)
			for (int x = 0; x < size; x++)
				pixels[y * size + x] = texel(t, x, y);
		glBindTexture(GL_TEXTURE_2D, tex[t]);
		glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
		glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
		glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, size, size, 0, GL_RGBA,
			     GL_UNSIGNED_BYTE, pixels);
	}

	/* Every texture once, then idle under pressure, then again. */
	for (int round = 0; round < 2; round++) {
		for (int t = 0; t < n; t++, frames++) {
			if (round == 1) {
				uint32_t block[16 * 16];

				for (int y = 0; y < 16; y++)
					for (int x = 0; x < 16; x++)
						block[y * 16 + x] = texel(t, x, y);
				glBindTexture(GL_TEXTURE_2D, tex[t]);
				glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, 16, 16, GL_RGBA,
						GL_UNSIGNED_BYTE, block);
			}
			wrong += frame_wrong(tex[t], t, size, pixels);
		}
		if (round == 0) {
			glFinish();
			killed = press(press_mib);
		}
	}
	if (glGetError() != GL_NO_ERROR)
		die("GL error");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("{\"textures\": %d, \"texture_mib\": %.1f, \"frames\": %d, \"wrong_frames\": %d, "
	       "\"presser_killed\": %d, \"seconds\": %.1f}\n",
	       n, (double)n * size * size * 4 / (1 << 20), frames, wrong, killed,
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	return wrong ? 1 : 0;
}
