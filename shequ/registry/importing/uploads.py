"""A size cap enforced while the upload streams in, before the body is read.

Django spools large files to a temporary file (so memory stays flat) but
would still read the whole body; this handler stops at the declared
``Content-Length`` or, for a body without one, at the first chunk past the
cap, and flags the request so the view answers with a clear message.
"""

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict

from shequ.registry.importing import reading

# Room for the form fields and multipart boundaries around the file.
ENVELOPE = 64 * 1024


class SizeCapUploadHandler(FileUploadHandler):
    def __init__(self, request=None, limit: int | None = None):
        super().__init__(request)
        self.limit = limit or reading.MAX_UPLOAD_BYTES
        self.received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > self.limit + ENVELOPE:
            self.request.upload_too_large = True
            return QueryDict(encoding=encoding), MultiValueDict()
        return None

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.request.upload_too_large = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None


def cap_uploads(request) -> None:
    """Call before anything reads ``request.POST`` or ``request.FILES``."""
    request.upload_too_large = False
    request.upload_handlers.insert(0, SizeCapUploadHandler(request))
