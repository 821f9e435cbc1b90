"""Customers in the container: the PostgreSQL repository and one use case per operation.

They share the request's connection and unit of work from ``AccountsProvider``, so a request is
one transaction.
"""

from __future__ import annotations

from dishka import Provider, Scope, provide

from adapters.postgres.customers import PostgresCustomerRepository
from application.customers.delete_customer import DeleteCustomer
from application.customers.get_customer import GetCustomer
from application.customers.list_customers import ListCustomers
from application.customers.ports import CustomerRepository
from application.customers.register_customer import RegisterCustomer
from application.customers.update_customer import UpdateCustomer


class CustomersProvider(Provider):
    customers = provide(
        PostgresCustomerRepository, scope=Scope.REQUEST, provides=CustomerRepository
    )
    register_customer = provide(RegisterCustomer, scope=Scope.REQUEST)
    get_customer = provide(GetCustomer, scope=Scope.REQUEST)
    list_customers = provide(ListCustomers, scope=Scope.REQUEST)
    update_customer = provide(UpdateCustomer, scope=Scope.REQUEST)
    delete_customer = provide(DeleteCustomer, scope=Scope.REQUEST)
