# Receber o pedido: confere o pedido que chegou e o passa adiante.
# (O documento não mostra esta função; ela valida a entrada do fluxo.)


class PedidoInvalido(Exception):
    pass


def lambda_handler(event, context):
    pedido = event.get("pedido") if isinstance(event, dict) else None
    if not isinstance(pedido, dict):
        raise PedidoInvalido("a entrada precisa de um objeto 'pedido'")
    for campo in ("id", "item", "quantidade", "pagamento"):
        if campo not in pedido:
            raise PedidoInvalido(f"o pedido não tem '{campo}'")
    if not isinstance(pedido["quantidade"], int) or pedido["quantidade"] < 1:
        raise PedidoInvalido("a quantidade deve ser um inteiro positivo")
    print(f"pedido {pedido['id']} recebido: {pedido['quantidade']} x {pedido['item']}")
    return {"pedido": pedido, "status": "pedido_recebido"}
