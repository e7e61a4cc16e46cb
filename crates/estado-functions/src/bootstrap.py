# Estado's Python bootstrap: a Lambda Runtime API client, standard library only.
#
# Started by Estado as `python3 -c <this> TASK_ROOT MODULE FUNCTION` with AWS_LAMBDA_RUNTIME_API
# set. Imports the handler once, then loops: GET the next invocation, call the handler, POST its
# result or its error in the shape AWS Lambda's Python runtime uses. Exits when Estado goes away.
import importlib
import json
import os
import socket
import sys
import time
import traceback

RUNTIME = "/2018-06-01/runtime"
# Stack traces name the function's files as Lambda does: under /var/task, its code folder.
LAMBDA_TASK_ROOT = "/var/task"


class RuntimeApi:
    """A minimal HTTP/1.1 client on one kept-alive connection (http.client's header parsing
    costs more than the rest of an invocation)."""

    def __init__(self, address):
        host, _, port = address.rpartition(":")
        self.sock = socket.create_connection((host, int(port)))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.rfile = self.sock.makefile("rb")
        self.host = address

    def request(self, method, path, body=b""):
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Length: {len(body)}\r\n"
        if body:
            head += "Content-Type: application/json\r\n"
        self.sock.sendall(head.encode("latin-1") + b"\r\n" + body)
        status = self.rfile.readline()
        if not status:
            raise ConnectionError("the Runtime API closed the connection")
        headers = {}
        while True:
            line = self.rfile.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            data = self.rfile.read(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                parts.append(self.rfile.read(size))
                self.rfile.readline()
            data = b"".join(parts)
        else:
            data = b""
        return int(status.split()[1]), headers, data


class Context:
    def __init__(self, headers, memory):
        # `headers` has lower-case names.
        self.aws_request_id = headers.get("lambda-runtime-aws-request-id", "")
        self.invoked_function_arn = headers.get("lambda-runtime-invoked-function-arn", "")
        self._deadline_ms = int(headers.get("lambda-runtime-deadline-ms") or 0)
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = memory
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = None
        self.client_context = None
        client_context = headers.get("lambda-runtime-client-context")
        if client_context:
            try:
                self.client_context = json.loads(client_context)
            except ValueError:
                pass
        self.tenant_id = headers.get("lambda-runtime-aws-tenant-id")

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)


def lambda_path(filename, root):
    if filename.startswith(root + os.sep):
        return LAMBDA_TASK_ROOT + "/" + filename[len(root) + 1:]
    return filename


def error_body(exc, request_id, root, skip_frames):
    frames = traceback.extract_tb(exc.__traceback__)[skip_frames:]
    for f in frames:
        f.filename = lambda_path(f.filename, root)
    return {
        "errorMessage": str(exc),
        "errorType": type(exc).__name__,
        "requestId": request_id,
        "stackTrace": traceback.format_list(frames),
    }


def load_handler(root, module, function):
    """The handler, or the error every invocation reports (as Lambda's runtime does)."""
    sys.path.insert(0, root)
    try:
        mod = importlib.import_module(module)
    except SyntaxError as e:
        return None, ("Runtime.UserCodeSyntaxError", f"Syntax error in module '{module}': {e}")
    except ImportError as e:
        return None, ("Runtime.ImportModuleError", f"Unable to import module '{module}': {e}")
    except Exception as e:
        return None, (type(e).__name__, str(e))
    handler = getattr(mod, function, None)
    if handler is None:
        return None, ("Runtime.HandlerNotFound", f"Handler '{function}' missing on module '{module}'")
    return handler, None


def main():
    root, module, function = sys.argv[1], sys.argv[2], sys.argv[3]
    memory = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
    api = RuntimeApi(os.environ["AWS_LAMBDA_RUNTIME_API"])
    handler, init_error = load_handler(root, module, function)
    if init_error:
        print(f"[ERROR] {init_error[0]}: {init_error[1]}", file=sys.stderr, flush=True)

    def post(path, body):
        api.request("POST", path, body)

    while True:
        try:
            status, headers, body = api.request("GET", RUNTIME + "/invocation/next")
        except (OSError, ValueError, IndexError):
            return  # Estado is gone
        if status != 200:
            return  # this worker is being retired
        request_id = headers.get("lambda-runtime-aws-request-id", "")
        path = f"{RUNTIME}/invocation/{request_id}"
        if init_error:
            err = {"errorMessage": init_error[1], "errorType": init_error[0],
                   "requestId": request_id, "stackTrace": []}
            post(path + "/error", json.dumps(err).encode())
            continue
        try:
            event = json.loads(body)
            result = handler(event, Context(headers, memory))
        except Exception as e:
            err = error_body(e, request_id, root, 1)
            print(f"[ERROR] {err['errorType']}: {err['errorMessage']}\n" + "".join(err["stackTrace"]),
                  file=sys.stderr, end="", flush=True)
            post(path + "/error", json.dumps(err).encode())
            continue
        if isinstance(result, (bytes, bytearray)):
            out = bytes(result)
        else:
            try:
                out = json.dumps(result).encode()
            except (TypeError, ValueError) as e:
                err = {"errorMessage": f"Unable to marshal response: {e}",
                       "errorType": "Runtime.MarshalError", "requestId": request_id, "stackTrace": []}
                post(path + "/error", json.dumps(err).encode())
                continue
        post(path + "/response", out)


if __name__ == "__main__":
    main()
