from statistics.validation import pseudonym


def test_the_pseudonym_is_keyed_and_stable():
    a = pseudonym(b"key-one", "198001010001")
    assert a == pseudonym(b"key-one", "198001010001") and len(a) == 64
    assert a != pseudonym(b"key-two", "198001010001")
    assert a != pseudonym(b"key-one", "198001010019")
