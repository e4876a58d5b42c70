import pytest

from omstallning.accounts.roles import Role
from tests.factories import UserFactory

from .factories import AdvisorFactory, SupplierFactory


@pytest.fixture
def coordinator(db):
    return UserFactory(role=Role.SUPPLIER_COORDINATOR)


@pytest.fixture
def supplier(coordinator):
    return SupplierFactory(rank=1, municipalities=["Stockholm", "0180"], regions=["14"], coordinator=coordinator)


@pytest.fixture
def advisor(supplier):
    return AdvisorFactory(supplier=supplier)
