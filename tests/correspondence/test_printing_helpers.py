import io
import socket

import pytest
from pypdf import PdfReader

from correspondence.printing import html_to_pdf, pdf_response, qr_data_uri


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_html_becomes_an_a4_pdf_with_its_text():
    pdf = html_to_pdf("<html><body><h1>Registre arrivée</h1><p>Ambassade de France à Lomé</p></body></html>")
    reader = PdfReader(io.BytesIO(pdf))
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (595, 842)  # A4 portrait in points
    assert "Ambassade de France à Lomé" in pdf_text(pdf)


def test_landscape_body_class_turns_the_page():
    pdf = html_to_pdf('<html><body class="landscape"><p>Registre</p></body></html>')
    width, height = (float(v) for v in PdfReader(io.BytesIO(pdf)).pages[0].mediabox.upper_right)
    assert width > height


def test_pdf_never_fetches_a_network_resource(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("WeasyPrint tried to open a network connection")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    pdf = html_to_pdf('<html><body><img src="http://example.org/logo.png"><p>Sans réseau</p></body></html>')
    assert "Sans réseau" in pdf_text(pdf)


def test_qr_code_is_an_inline_png_data_uri():
    uri = qr_data_uri("A-2026-00001")
    assert uri.startswith("data:image/png;base64,")


@pytest.mark.parametrize(("download", "disposition"), [(False, "inline"), (True, "attachment")])
def test_pdf_response_is_private_and_named(download, disposition):
    response = pdf_response(b"%PDF-1.7", "Fiche A-2026-00001", download=download)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'{disposition}; filename="fiche-a-2026-00001.pdf"'
    assert "no-store" in response["Cache-Control"]
