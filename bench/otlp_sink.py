"""A minimal OTLP/HTTP sink for load runs: accepts every export with 200 and counts the bytes.
GET /bytes answers the number of body bytes received so far."""
import http.server
import sys


class Sink(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep connections open, as a collector does
    received = 0

    def do_POST(self):
        length = int(self.headers.get("content-length", "0"))
        Sink.received += len(self.rfile.read(length))
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.send_header("content-length", "0")
        self.end_headers()

    def do_GET(self):
        body = str(Sink.received).encode()
        self.send_response(200)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):  # the server under test was stopped
            super().handle_error(request, client_address)


Server(("127.0.0.1", int(sys.argv[1])), Sink).serve_forever()
